"""The canvas's boxes in the worker's words: for error messages and for the other saved
version shown after a conflict. The labels match those on the page (canvas.html)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rhc_app.domain.vocabulary import (
    ACTIONS,
    AREAS,
    HELD_BY,
    HOLDER_ROLES,
    LATE_REASON_OTHER,
    LATE_REASONS,
    YES_NO,
    YES_NO_UNSURE,
)
from rhc_app.web.filters import local

DETAIL_LABELS = {
    "held_at": "When it was held", "method": "How", "location": "Where",
    "present": "Who was present", "seen_alone": "Was the child seen alone?",
    "independent_offered": "Was an independent person offered?",
    "language": "Language used", "interpreter": "Was an interpreter used?",
    "consent_to_share": "Does the child consent to sharing with police?",
    "sees_self_missing": "Does the child see themselves as having been missing?",
    "how_got_home": "How they got home, and who brought them",
    "helplines_given": "Helplines and safety information given",
    "late_reason": "Why it was held more than 72 hours after the child was found",
    "late_reason_note": "What the other reason was",
    "holder_role": "Role of the person who held it",
    "holder_independent": "Are they independent of the child's care?",
}
PERSON_LABELS = {"name": "Name or nickname", "description": "Description",
                 "approximate_age": "Approximate age",
                 "relationship": "How the child knows them", "concern": "Concern",
                 "do_not_share": "Do not share"}
PLACE_LABELS = {"name": "Name or description", "area": "Area or postcode",
                "slept_there": "Did the child sleep there?", "concern": "Concern",
                "do_not_share": "Do not share"}
# The answers to the radio questions, as the radios say them.
ANSWERS = {"method": HELD_BY, "sees_self_missing": YES_NO_UNSURE, "holder_role": HOLDER_ROLES,
           "late_reason": {**LATE_REASONS, **LATE_REASON_OTHER}}
_YES_NO_KEYS = {"seen_alone", "independent_offered", "interpreter", "consent_to_share",
                "holder_independent"}
OTHER_BOXES = {"scratch": "Quick note", "actions_detail": "Details of actions",
               "child_words": "In the child's own words", "reason": "Reason for the amendment"}


def label_for(name: str) -> str:
    """The label of a posted field: "area-themes" is the Themes area's label, "person-0-concern" is
    "Person 1 concern"."""
    kind, _, rest = name.partition("-")
    if kind == "area" and rest in AREAS:
        return AREAS[rest]
    if kind == "detail" and rest in DETAIL_LABELS:
        return DETAIL_LABELS[rest]
    index, _, field = rest.partition("-")
    if kind in ("person", "place", "note") and index.isdigit():
        labels = PERSON_LABELS if kind == "person" else PLACE_LABELS
        row = f"{kind.capitalize()} {int(index) + 1}"
        return row if kind == "note" else f"{row} {labels.get(field, field).lower()}"
    return OTHER_BOXES.get(name, "This box")


def shown_detail(key: str, value: str) -> str:
    """A stored detail as the worker saw it when it was typed: a label, a London time."""
    if not value:
        return "(empty)"
    if key == "held_at":
        try:
            return local(datetime.fromisoformat(value))
        except ValueError:
            return value
    return ANSWERS.get(key, YES_NO if key in _YES_NO_KEYS else {}).get(value, value)


def shown_conflict(conflict: dict[str, Any], risk_codes: dict[str, str]
                   ) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The other version, in words: the boxes that differ (by field name), and one line for
    each list that differs (people, places, quick notes, risk factors, actions)."""
    boxes: dict[str, str] = {}
    for name, value in conflict.items():
        if name.startswith("detail-"):
            boxes[name] = shown_detail(name.removeprefix("detail-"), value or "")
        elif name.startswith("area-") or name in ("actions_detail", "child_words"):
            boxes[name] = value or "(empty)"
    lists = []
    if "people" in conflict:
        lists.append(("People", ", ".join(p.get("name") or "(no name)"
                                          for p in conflict["people"] or []) or "no people"))
    if "places" in conflict:
        lists.append(("Places", ", ".join(p.get("name") or "(no name)"
                                          for p in conflict["places"] or []) or "no places"))
    if "notes" in conflict:
        notes = conflict["notes"] or []
        lists.append(("Quick notes", "; ".join(n.get("text", "") for n in notes) or "no notes"))
    if "risk_factors" in conflict:
        lists.append(("Risk factors", ", ".join(risk_codes.get(c, c) for c in
                                                conflict["risk_factors"] or []) or "none"))
    if "actions" in conflict:
        lists.append(("Actions and referrals", ", ".join(ACTIONS.get(a, a) for a in
                                                         conflict["actions"] or []) or "none"))
    return boxes, lists
