"""The states of a conversation and the moves between them."""

from __future__ import annotations

from rhc_app.domain import vocabulary

STATUS_COLOURS = {
    "to_offer": "grey", "offered": "light-blue", "accepted": "blue", "declined": "orange",
    "not_completed": "orange", "in_progress": "purple", "awaiting_signoff": "yellow",
    "completed": "green", "covered": "grey",
}

OUTCOMES = tuple(vocabulary.OUTCOMES)

# action -> states it may start from
MOVES: dict[str, tuple[str, ...]] = {
    "offer": ("to_offer", "declined", "not_completed"),
    "accepted": ("to_offer", "offered"),
    "declined": ("to_offer", "offered"),
    "not_completed": ("to_offer", "offered"),
    # Frozen from submission: awaiting sign-off, nothing changes until signed off or returned.
    "edit": ("accepted", "in_progress"),
    "complete": ("accepted", "in_progress"),
    "sign_off": ("awaiting_signoff",),
    "return": ("awaiting_signoff",),
    "amend": ("completed",),
}


class TransitionError(Exception):
    """A move not allowed from the current state: the message is for the user."""


def next_status(current: str, action: str, *, require_signoff: bool = False) -> str:
    allowed = MOVES.get(action)
    if allowed is None:
        raise TransitionError(f"Unknown action {action!r}")
    if current not in allowed:
        raise TransitionError(
            f"This conversation is {vocabulary.STATUSES.get(current, current).lower()}: "
            f"it cannot be {_verb(action)} now")
    if action == "offer":
        return "offered"
    if action in OUTCOMES:
        return action
    if action == "edit":
        return "in_progress" if current == "accepted" else current
    if action == "complete":
        return "awaiting_signoff" if require_signoff else "completed"
    if action == "sign_off":
        return "completed"
    if action == "return":
        return "in_progress"
    return current  # amend keeps it completed


def _verb(action: str) -> str:
    return {"offer": "offered", "accepted": "marked accepted", "declined": "marked declined",
            "not_completed": "marked not completed", "edit": "edited",
            "complete": "completed", "sign_off": "signed off", "return": "returned",
            "amend": "amended"}[action]


def is_read_only(status: str) -> bool:
    return status in ("awaiting_signoff", "completed")


def read_only_message(status: str) -> str:
    """Why a change to the record was refused, for the user."""
    if status == "awaiting_signoff":
        return ("This conversation is waiting for a manager's sign-off: it cannot be changed "
                "until it is signed off or returned to the worker")
    return "This conversation is completed: make an amendment instead"


def dataset_status(outcome: str | None, offered: bool, held: bool) -> str:
    """The state a row of the standard dataset describes: held elsewhere, so an accepted
    conversation with a time it was held is completed."""
    if outcome == "accepted":
        return "completed" if held else "accepted"
    if outcome in OUTCOMES:
        return outcome
    return "offered" if offered else "to_offer"


def app_holds(status: str, completed_in_app: bool) -> bool:
    """Whether the app's own record of a conversation wins over an imported row: once notes
    are being written it changes only in the app (one completed there, only by amendment).
    A conversation an earlier file recorded as completed is still the files' to correct."""
    # A covered episode's facts are the covering conversation's (domain/covering.py).
    return status in ("in_progress", "awaiting_signoff", "covered") or (
        status == "completed" and completed_in_app)
