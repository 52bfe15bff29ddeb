"""Flags that change what the worker does next."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


def episodes_in_window(reported: Sequence[datetime], at: datetime, window_days: int = 30
                       ) -> int:
    """How many episodes were reported in the `window_days` up to and including `at`, the
    time the episode in hand was reported (so it counts itself). The one repeat-missing rule:
    `threshold` or more means a strategy meeting should be considered. `reported` must be in
    time order: it is bisected, as a child missing very often has hundreds of episodes."""
    return (bisect_right(reported, at)
            - bisect_left(reported, at - timedelta(days=window_days)))


def is_repeat(count: int, threshold: int = 3) -> bool:
    return count >= threshold


@dataclass(frozen=True)
class PastConversation:
    worker_id: str | None
    held_at: datetime | None


def continuity_worker(history: Sequence[PastConversation]) -> str | None:
    """The worker the child spoke to most recently: trust builds with the same person."""
    held = [p for p in history if p.worker_id and p.held_at]
    if not held:
        return None
    return max(held, key=lambda p: p.held_at).worker_id  # type: ignore[arg-type,return-value]


# Statuses at which consent to share should have been asked: unrecorded, it is flagged.
CONSENT_STATUSES = ("accepted", "in_progress", "awaiting_signoff", "completed")


@dataclass(frozen=True)
class Flag:
    code: str
    text: str
    colour: str  # GOV.UK tag colour


def flags_for(*, episode_count_30d: int, repeat: bool, police_risk: str | None,
              found_at: datetime | None, consent_to_share: str | None, status: str,
              continuity_name: str | None, holder_is_continuity: bool,
              window_days: int = 30) -> list[Flag]:
    out: list[Flag] = []
    if repeat:  # the count is over the organisation's window, which need not be 30 days
        out.append(Flag("repeat", f"{episode_count_30d} episodes in {window_days} days: record "
                        "a strategy meeting decision", "red"))
    if police_risk == "high":
        out.append(Flag("high_risk", "High police risk grade", "red"))
    if found_at is None:
        out.append(Flag("no_found_time", "No found time: the 72-hour clock cannot start",
                        "orange"))
    if consent_to_share is None and status in CONSENT_STATUSES:
        out.append(Flag("consent", "Consent to share not recorded", "yellow"))
    if continuity_name and not holder_is_continuity:
        out.append(Flag("continuity", f"Has spoken before with {continuity_name}: consider "
                        "the same worker", "blue"))
    return out
