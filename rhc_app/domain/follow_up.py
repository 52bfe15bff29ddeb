"""Actions and referrals followed to the end: when one is overdue, and which changes of status
are allowed. Pure rules over plain values (dates, codes, text); no database, no Flask."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from rhc_app.domain import vocabulary

OPEN = "open"
CLOSED = ("done", "not_done")
NOTE_MAX = 2000


class ActionRuleError(ValueError):
    """A change an action may not take: the message is for the user; ``field`` names the
    form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def is_overdue(due_on: date | None, status: str, today: date) -> bool:
    """Open past its due day (UK date). Due today is not yet overdue; no due date never is."""
    return status == OPEN and due_on is not None and due_on < today


def due_label(due_on: date | None, status: str, today: date) -> str:
    """How a list shows where an open action stands against its due day."""
    if status != OPEN or due_on is None:
        return ""
    if due_on < today:
        days = (today - due_on).days
        return f"Overdue by {days} day{'s' if days != 1 else ''}"
    if due_on == today:
        return "Due today"
    return ""


def check_change(status: str, note: str, due_on: date | None = None,
                 set_on: date | None = None) -> str:
    """The note to keep, if ``status`` with ``note`` is an allowed state: "not done" needs the
    reason; a new due date may not be in the past (``set_on`` is today, when it changed)."""
    if status not in vocabulary.ACTION_STATUSES:
        raise ActionRuleError("Select where this action stands", "status")
    note = note.strip()
    if status == "not_done" and not note:
        raise ActionRuleError("Enter why this action was not done", "outcome")
    if len(note) > NOTE_MAX:
        raise ActionRuleError(f"Enter {NOTE_MAX:,} characters or fewer", "outcome")
    if due_on is not None and set_on is not None and due_on < set_on:
        raise ActionRuleError("The due date must be today or in the future", "due_on")
    return note


def kinds(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The actions an organisation offers: the shared list, then its own, then the catch-all."""
    shared = {k: v for k, v in vocabulary.ACTIONS.items() if k != "other"}
    own = {k: v for k, v in (extra or {}).items() if k not in vocabulary.ACTIONS}
    return {**shared, **own, "other": vocabulary.ACTIONS["other"]}


def own_kind_code(label: str) -> str:
    """A stable code for an organisation's own action, from its label ("Youth offending
    team" -> "own_youth_offending_team"): never one of the shared codes."""
    words = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")
    return f"own_{words[:40]}" if words else ""


def parse_own_kinds(text: str) -> dict[str, str]:
    """One label a line, as an administrator types them: blank lines and repeats dropped."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        label = " ".join(line.split())[:100]
        code = own_kind_code(label)
        if code and code not in out:
            out[code] = label
    return out
