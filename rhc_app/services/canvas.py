"""The shape of a conversation record (the canvas), and the checks it passes before it is
saved. Every reader and writer goes through `normalise_canvas`, so all see the same keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rhc_app.domain.vocabulary import AREAS
from rhc_app.store.models import Episode

PERSON_FIELDS = ("name", "description", "approximate_age", "relationship", "concern")
PLACE_FIELDS = ("name", "area", "slept_there", "concern")
DETAIL_FIELDS = ("held_at", "method", "location", "present", "seen_alone",
                 "independent_offered", "language", "interpreter", "consent_to_share",
                 "sees_self_missing", "how_got_home", "helplines_given",
                 # issue 17: why it was held late, and who held it (conversation_fields.py)
                 "late_reason", "late_reason_note", "holder_role", "holder_independent")


def empty_canvas() -> dict[str, Any]:
    return {"areas": {k: "" for k in AREAS}, "people": [], "places": [], "notes": [],
            "details": {k: "" for k in DETAIL_FIELDS}, "risk_factors": [], "actions": [],
            "actions_detail": "", "child_words": ""}


def normalise_canvas(data: dict[str, Any]) -> dict[str, Any]:
    """Fill in missing keys so every reader sees the same shape."""
    base = empty_canvas()
    for key in ("areas", "details"):
        base[key].update({k: v for k, v in (data.get(key) or {}).items() if k in base[key]})
    for key in ("people", "places", "notes", "risk_factors", "actions"):
        base[key] = list(data.get(key) or [])
    base["actions_detail"] = data.get("actions_detail") or ""
    base["child_words"] = data.get("child_words") or ""
    return base


def parse_held_at(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value)


def check_canvas(canvas: dict[str, Any], episode: Episode, now: datetime) -> dict[str, str]:
    """Problems that must be fixed before the canvas can be saved, by form field."""
    problems: dict[str, str] = {}
    held = canvas["details"].get("held_at")
    if held:
        try:
            held_at = parse_held_at(held)
        except ValueError:
            problems["held_at"] = "Enter the date and time the conversation was held"
        else:
            assert held_at is not None
            if held_at > now:
                problems["held_at"] = "The conversation must have been held now or in the past"
            elif episode.found_at and held_at < episode.found_at:
                problems["held_at"] = ("The conversation cannot have been held before the "
                                       "child was found")
    return problems
