"""UK time, in one place: London wall clock, "today", the 72-hour rule, ages and the formats.

Instants are stored and compared in UTC; people read and type Europe/London wall-clock time.
Three rules follow from that:

* A naive datetime given to :func:`as_utc` or :func:`to_london` is a stored instant and is
  read as UTC (SQLite hands aware columns back naive). A wall-clock time somebody typed or a
  file gave goes through :func:`from_london`.
* The clocks go forward at 01:00 on the last Sunday of March, so 01:00–01:59 that day never
  happens: :func:`from_london` refuses it with a message a worker can act on (or, for a file
  that was written by a machine, moves it forward an hour). They go back at 02:00 on the
  last Sunday of October, so 01:00–01:59 happens twice: it means the first time (BST).
* The 72 hours are real elapsed hours, counted in UTC, so a night on which the clocks change
  is not an hour longer or shorter. (Two datetimes in one ``ZoneInfo`` subtract by wall clock.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DEADLINE = timedelta(hours=72)
DUE_SOON = timedelta(hours=24)
NOT_RECORDED = "Not recorded"


class NoSuchUkTime(ValueError):
    """A wall-clock time skipped when the clocks went forward."""


# -- conversion -------------------------------------------------------------------------------
def as_utc(instant: datetime) -> datetime:
    """The instant in UTC; a naive value is a stored instant, read as UTC."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def to_london(instant: datetime) -> datetime:
    """The instant on the London wall clock (naive values read as UTC)."""
    return as_utc(instant).astimezone(LONDON)


def london_date(instant: datetime) -> date:
    """The date on a London calendar at that instant: the date a service counts it on."""
    return to_london(instant).date()


def from_london(wall: datetime, in_gap: Literal["refuse", "forward"] = "refuse") -> datetime:
    """A London wall-clock time (naive) as an aware UTC instant.

    In the October overlap the first occurrence (still BST) is meant. In the March gap the
    time did not happen: refused with :class:`NoSuchUkTime`, or with ``in_gap="forward"``
    read on the clock from before the change, which lands an hour later (01:30 is 02:30 BST).
    """
    aware = wall.replace(tzinfo=LONDON, fold=0)
    instant = aware.astimezone(UTC)
    if in_gap == "refuse" and instant.astimezone(LONDON).replace(tzinfo=None) != wall:
        later = wall + timedelta(hours=1)
        raise NoSuchUkTime(
            f"There was no {wall:%H:%M} on {format_date_long(wall.date())} in the UK, because "
            f"the clocks went forward from 01:00 to 02:00. Enter the time as the clocks showed "
            f"it after they went forward, for example {later:%H:%M}")
    return instant


def today_in_london(now: datetime | None = None) -> date:
    """Today's date in the UK (not the server's date, which may be UTC or anywhere)."""
    return london_date(now if now is not None else datetime.now(UTC))


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on ``day``; a 29 February birthday falls on 1 March in other years."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


# -- the 72-hour rule -------------------------------------------------------------------------
def due_at(found_at: datetime | None) -> datetime | None:
    """72 real hours after the child was found; None while no found time is recorded."""
    return None if found_at is None else as_utc(found_at) + DEADLINE


def within_timescale(found_at: datetime | None, held_at: datetime | None,
                     limit: timedelta = DEADLINE) -> bool | None:
    """Held (or closed) no earlier than found and at most 72 hours after (exactly 72 counts).

    None when it cannot be told: a time is missing, or the record says it was held before the
    child was found (a data error to correct). The figures count only True, so neither
    flatters the service; the lists and the record say which it is.
    """
    if found_at is None or held_at is None:
        return None
    elapsed = as_utc(held_at) - as_utc(found_at)
    if elapsed < timedelta(0):
        return None
    return elapsed <= limit


@dataclass(frozen=True)
class ClockState:
    due_at: datetime | None
    remaining: timedelta | None  # negative when overdue
    state: str  # "no_found_time" | "overdue" | "due_soon" | "on_track" | "stopped"
    within: bool | None = None  # once stopped: as within_timescale

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
        return ClockState(due, due - as_utc(stopped_at), "stopped",
                          within_timescale(found_at, stopped_at))
    remaining = due - as_utc(now)
    if remaining < timedelta(0):
        return ClockState(due, remaining, "overdue")
    if remaining <= DUE_SOON:
        return ClockState(due, remaining, "due_soon")
    return ClockState(due, remaining, "on_track")


def urgency_key(found_at: datetime | None, now: datetime) -> tuple[int, float]:
    """Sort key, most urgent first: overdue by most, then least time left; no found time
    last but one, since nothing can be timed until it is recorded."""
    due = due_at(found_at)
    if due is None:
        return (1, 0.0)
    return (0, (due - as_utc(now)).total_seconds())


# -- formats ----------------------------------------------------------------------------------
def format_datetime(instant: datetime | None) -> str:
    """E.g. "Tue 24 Nov 2026, 14:05" in London time, or "Not recorded"."""
    if instant is None:
        return NOT_RECORDED
    local = to_london(instant)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def _format_day(value: date | datetime | None, month: str) -> str:
    """The day, the month in `month`'s strftime form, the year; a datetime is first converted
    to London time."""
    if value is None:
        return NOT_RECORDED
    if isinstance(value, datetime):
        value = london_date(value)
    return f"{value.day} {value.strftime(month)} {value.year}"


def format_date(value: date | datetime | None) -> str:
    """E.g. "3 Mar 2011" (PDFs)."""
    return _format_day(value, "%b")


def format_date_long(value: date | datetime | None) -> str:
    """E.g. "3 March 2011" (pages and the child's letter)."""
    return _format_day(value, "%B")


def format_day_for_child(day: date) -> str:
    """E.g. "Wednesday 1 July": how the child's letter names the day they talked."""
    return f"{day:%A} {day.day} {day:%B}"


def format_input(instant: datetime | None) -> str:
    """The value of a datetime-local input: London wall clock, to the minute."""
    return "" if instant is None else f"{to_london(instant):%Y-%m-%dT%H:%M}"


def format_csv_time(instant: datetime) -> str:
    """London time with its offset, e.g. 2026-10-25T01:30:00+01:00, so a file is unambiguous."""
    return to_london(instant).isoformat(timespec="seconds")


def format_duration(delta: timedelta) -> str:
    """Hours (and minutes) up to 72 hours, then days and hours: how the PDFs speak."""
    minutes = int(abs(delta).total_seconds() // 60)
    hours, mins = divmod(minutes, 60)
    if hours == 0:
        return _plural(mins, "minute")
    if hours < 72:
        return _plural(hours, "hour") + (f" {_plural(mins, 'minute')}" if mins else "")
    days, hours = divmod(hours, 24)
    return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")


def format_time_left(delta: timedelta) -> str:
    """Days and hours, or minutes under an hour: how the clock on the lists speaks."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rem = divmod(minutes, 60 * 24)
    hours, mins = divmod(rem, 60)
    parts = []
    if days:
        parts.append(_plural(days, "day"))
    if hours:
        parts.append(_plural(hours, "hour"))
    if not days and (mins or not parts):
        parts.append(_plural(mins, "minute"))
    return " ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
