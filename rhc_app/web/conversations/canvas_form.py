"""The canvas is one form with repeatable parts; it is parsed here from the posted fields.

Plain HTML names (area-victims, person-0-name, …) so it works with JavaScript off, and the
same parser serves the full save and the autosave."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rhc_app.domain.uk_time import NoSuchUkTime, from_london
from rhc_app.domain.vocabulary import AREAS, HELD_BY, HOLDER_ROLES, YES_NO, YES_NO_UNSURE
from rhc_app.services.canvas import DETAIL_FIELDS, PERSON_FIELDS, PLACE_FIELDS, empty_canvas
from rhc_app.store.db import utcnow
from rhc_app.web.conversations.canvas_labels import label_for

# Answers chosen from radios: anything else posted is refused, never stored.
CHOICES: dict[str, tuple[str, ...]] = {
    "method": tuple(HELD_BY),
    "seen_alone": tuple(YES_NO), "independent_offered": tuple(YES_NO),
    "interpreter": tuple(YES_NO), "consent_to_share": tuple(YES_NO),
    "sees_self_missing": tuple(YES_NO_UNSURE),
    "holder_role": tuple(HOLDER_ROLES), "holder_independent": tuple(YES_NO),
}
MAX_TEXT = 50_000
MAX_SHORT = 500
MAX_ROWS = 200
#: The whole record, every box together. Why: the police PDF must build in well under the
#: worker timeout, and its cost is its lines. A long real record is a few thousand words
#: (20,000 characters, a few hundred lines); 2,000 lines of "a" is an attack, not notes.
MAX_RECORD_CHARS = 100_000
MAX_RECORD_LINES = 2_000


class CanvasInputError(Exception):
    """``canvas`` holds everything that was posted, so the page can show it back unchanged."""

    def __init__(self, problems: dict[str, str], canvas: dict[str, Any] | None = None) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems
        self.canvas = canvas


# Control characters (C0, DEL, C1) other than tab and newline have no place in notes and
# break PDFs; a lone surrogate cannot even be encoded to be encrypted. One character class
# (linear), not a test per character: autosave cleans the whole form every few seconds.
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _clean(value: str | None) -> str:
    return _DROPPED.sub("", (value or "").replace("\r\n", "\n"))


def held_at_utc(value: str) -> datetime:
    """A posted time: UK wall-clock time unless it says its own offset. Raises ValueError."""
    when = datetime.fromisoformat(value)
    return when.astimezone(UTC) if when.tzinfo else from_london(when)


def _note_time(value: str | None) -> str:
    # Written by the app when the note was jotted; anything else posted back is not a time.
    try:
        return held_at_utc(_clean(value)[:40]).isoformat(timespec="minutes")
    except ValueError:
        return ""


def parse(form: Mapping[str, Any], allowed_codes: set[str], allowed_actions: set[str]
          ) -> dict[str, Any]:
    problems: dict[str, str] = {}
    canvas = empty_canvas()
    sizes: dict[str, str] = {}

    def text(name: str, limit: int = MAX_TEXT) -> str:
        value = _clean(form.get(name))
        sizes[name] = value
        if len(value) > limit:
            problems[name] = (f"{label_for(name)} must be {limit:,} characters or fewer "
                              f"(it has {len(value):,})")
        return value  # kept whole: a refused save shows back everything that was typed

    for key in AREAS:
        canvas["areas"][key] = text(f"area-{key}")
    for key in DETAIL_FIELDS:
        canvas["details"][key] = text(f"detail-{key}", MAX_SHORT if key != "helplines_given"
                                      else 2000)
    for key, allowed in CHOICES.items():
        if canvas["details"][key] not in ("", *allowed):
            problems[f"detail-{key}"] = "Choose one of the options"
            canvas["details"][key] = ""
    held = canvas["details"]["held_at"]
    if held:
        try:
            canvas["details"]["held_at"] = held_at_utc(held).isoformat()
        except NoSuchUkTime as exc:
            problems["detail-held_at"] = str(exc)
            canvas["details"]["held_at"] = held
        except ValueError:
            problems["detail-held_at"] = "Enter when the conversation was held as a date and time"
            canvas["details"]["held_at"] = held

    canvas["people"] = _rows(form, "person", PERSON_FIELDS, text)
    canvas["places"] = _rows(form, "place", PLACE_FIELDS, text)
    for i, place in enumerate(canvas["places"]):
        if place.get("slept_there") not in ("", *YES_NO):
            problems[f"place-{i}-slept_there"] = "Choose yes or no"
    for i in range(_count(form, "note")):
        if form.get(f"note-{i}-remove"):
            continue
        note_text = text(f"note-{i}-text", 5000)
        if note_text.strip():
            area = form.get(f"note-{i}-area") or ""
            canvas["notes"].append({"text": note_text, "area": area if area in AREAS else "",
                                    "at": _note_time(form.get(f"note-{i}-at"))})
    canvas["scratch"] = text("scratch", 5000)
    canvas["scratch_area"] = form.get("scratch_area") if form.get("scratch_area") in AREAS \
        else ""
    canvas["risk_factors"] = sorted({c for c in _list(form, "risk_factors") if c in allowed_codes})
    canvas["actions"] = sorted({a for a in _list(form, "actions") if a in allowed_actions})
    canvas["actions_detail"] = text("actions_detail")
    canvas["child_words"] = text("child_words")
    if not problems:
        problems = _over_budget(sizes)
    if problems:
        raise CanvasInputError(problems, canvas)
    return canvas


def _over_budget(boxes: dict[str, str]) -> dict[str, str]:
    """The whole record's limits, reported on the box that holds the most."""
    chars = sum(len(v) for v in boxes.values())
    if chars > MAX_RECORD_CHARS:
        name = max(boxes, key=lambda k: len(boxes[k]))
        return {name: f"The whole record must be {MAX_RECORD_CHARS:,} characters or fewer "
                      f"(it has {chars:,}): shorten this box, the longest, or keep the detail "
                      "in the case file"}
    lines = sum(v.count("\n") for v in boxes.values())
    if lines > MAX_RECORD_LINES:
        name = max(boxes, key=lambda k: boxes[k].count("\n"))
        return {name: f"The whole record must be {MAX_RECORD_LINES:,} lines or fewer "
                      f"(it has {lines:,}): join the short lines in this box, the one with "
                      "the most lines"}
    return {}


def _list(form: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    return list(getlist(name)) if getlist else list(form.get(name) or [])


def _count(form: Mapping[str, Any], prefix: str) -> int:
    try:
        return max(0, min(int(form.get(f"{prefix}-count") or 0), MAX_ROWS))
    except ValueError:
        return 0


def _rows(form: Mapping[str, Any], prefix: str, fields: tuple[str, ...], text: Any
          ) -> list[dict[str, str]]:
    rows = []
    for i in range(_count(form, prefix)):
        if form.get(f"{prefix}-{i}-remove"):
            continue
        row = {f: text(f"{prefix}-{i}-{f}", MAX_SHORT if f != "concern" else 5000)
               for f in fields}
        if any(v.strip() for v in row.values()):
            # The child asked that this person or place is not shared outside: kept with
            # the entry, so connections still see it and every export leaves it out.
            if form.get(f"{prefix}-{i}-do_not_share"):
                row["do_not_share"] = "yes"
            rows.append(row)
    return rows


def add_scratch_note(canvas: dict[str, Any]) -> bool:
    """Move the quick-note box into the notes, tagged to its area (or untagged)."""
    note = (canvas.get("scratch") or "").strip()
    if not note:
        return False
    canvas["notes"].append({"text": note, "area": canvas.get("scratch_area") or "",
                            "at": utcnow().isoformat(timespec="minutes")})
    canvas["scratch"] = ""
    return True


def differences(mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """What differs between two versions, for showing both after a conflict."""
    out: dict[str, Any] = {}
    for key in AREAS:
        if mine["areas"].get(key, "") != theirs.get("areas", {}).get(key, ""):
            out[f"area-{key}"] = theirs.get("areas", {}).get(key, "")
    for key in DETAIL_FIELDS:
        if mine["details"].get(key, "") != theirs.get("details", {}).get(key, ""):
            out[f"detail-{key}"] = theirs.get("details", {}).get(key, "")
    if mine.get("child_words", "") != theirs.get("child_words", ""):
        out["child_words"] = theirs.get("child_words", "")
    for key in ("people", "places", "notes", "risk_factors", "actions"):
        if mine.get(key) != theirs.get(key):
            out[key] = theirs.get(key)
    return out
