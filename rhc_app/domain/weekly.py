"""The weekly multi-agency missing meeting: the week (Monday to Sunday, on the UK calendar),
and the plain shape of its sections, which the page and the PDF both print.

Each section is made by one function in ``services/weekly.py`` (its SECTIONS list). A section
may carry ``measures``: counts the "what changed since last week" section compares with the
week before, so a section added later is compared without more code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from rhc_app.domain import uk_time


@dataclass(frozen=True)
class Week:
    monday: date

    @classmethod
    def containing(cls, day: date) -> Week:
        return cls(day - timedelta(days=day.weekday()))

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def previous(self) -> Week:
        return Week(self.monday - timedelta(days=7))

    @property
    def next(self) -> Week:
        return Week(self.monday + timedelta(days=7))

    def starts(self) -> tuple[datetime, datetime]:
        """Monday 00:00 and the next Monday 00:00, UK time, as UTC instants."""
        return (uk_time.from_london(datetime.combine(self.monday, time(0))),
                uk_time.from_london(datetime.combine(self.monday + timedelta(days=7), time(0))))


@dataclass(frozen=True)
class SectionRow:
    cells: tuple[str, ...]
    conversation_id: str | None = None  # the page links the first cell to the record


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[SectionRow, ...]
    note: str = ""
    empty: str = "None."
    measures: dict[str, int] = field(default_factory=dict)


def change_text(this_week: int, last_week: int) -> str:
    """"Up 2", "Down 1" or "No change", as the meeting reads it."""
    if this_week == last_week:
        return "No change"
    return f"{'Up' if this_week > last_week else 'Down'} {abs(this_week - last_week)}"


def episodes_in_days(reported: list[datetime], until: datetime, days: int) -> int:
    """Episodes reported in the ``days`` before ``until`` (the end of the meeting's week)."""
    since = until - timedelta(days=days)
    return sum(since <= uk_time.as_utc(r) < until for r in reported)
