"""The 72-hour clock: a conversation must be offered within 72 hours of the time found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEADLINE = timedelta(hours=72)
DUE_SOON = timedelta(hours=24)


def due_at(found_at: datetime | None) -> datetime | None:
    """None while no found time is recorded: the clock cannot start."""
    return None if found_at is None else found_at + DEADLINE


@dataclass(frozen=True)
class ClockState:
    due_at: datetime | None
    remaining: timedelta | None  # negative when overdue
    state: str  # "no_found_time" | "overdue" | "due_soon" | "on_track" | "stopped"

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def clock(found_at: datetime | None, now: datetime, stopped_at: datetime | None = None
          ) -> ClockState:
    """Where the clock stands. `stopped_at` is when the conversation was held (or the child
    declined): after that the clock no longer runs."""
    due = due_at(found_at)
    if due is None:
        return ClockState(None, None, "no_found_time")
    if stopped_at is not None:
        return ClockState(due, due - stopped_at, "stopped")
    remaining = due - now
    if remaining < timedelta(0):
        return ClockState(due, remaining, "overdue")
    if remaining <= DUE_SOON:
        return ClockState(due, remaining, "due_soon")
    return ClockState(due, remaining, "on_track")


def within_timescale(found_at: datetime | None, held_at: datetime | None) -> bool | None:
    """Held within 72 hours of found (exactly 72 hours counts as within)."""
    if found_at is None or held_at is None:
        return None
    return held_at - found_at <= DEADLINE


def urgency_key(found_at: datetime | None, now: datetime) -> tuple[int, float]:
    """Sort key, most urgent first: overdue by most, then least time left; no found time
    last but one, since nothing can be timed until it is recorded."""
    due = due_at(found_at)
    if due is None:
        return (1, 0.0)
    return (0, (due - now).total_seconds())
