"""The quarterly table (the Gateshead measures) from episode facts, and its CSV and text.

Plain data in (:class:`EpisodeFacts`, built by the caller from whatever it stores), plain data
out; the rules it counts by are in the package docstring (``rhc_app.domain.figures``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from rhc_app.domain import uk_time
from rhc_app.domain.figures.tables import csv_text, text_table

Outcome = Literal["accepted", "declined", "not_completed"]
Cohort = Literal["all", "in-care"]

MEASURES: tuple[str, ...] = (
    "No. Missing Children",
    "No. Missing Episodes",
    "No. RHC Offered",
    "RHC Accepted",
    "% RHC Accepted",
    "RHC Declined",
    "RHC Within Timescale",
    "% Within Timescale",
)
COLUMNS: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4", "Total")


@dataclass(frozen=True)
class EpisodeFacts:
    """What the figures need to know about one missing episode and its conversation.

    ``child_key`` is opaque (an id or a pseudonym): the figures only count distinct keys.
    ``risk_factors`` is only meaningful when the conversation was held.
    """

    child_key: str
    in_care: bool
    reported_missing_at: datetime
    found_at: datetime | None = None
    offered_at: datetime | None = None
    outcome: Outcome | None = None
    held_at: datetime | None = None
    date_of_birth: date | None = None
    gender: str | None = None
    ethnicity: str | None = None
    risk_factors: tuple[str, ...] = ()

    @property
    def offered(self) -> bool:
        # An accepted or declined conversation was, by definition, offered, even if the
        # offer itself was never timed.
        return self.offered_at is not None or self.outcome in ("accepted", "declined")

    @property
    def accepted(self) -> bool:
        return self.outcome == "accepted"

    @property
    def declined(self) -> bool:
        return self.outcome == "declined"


def as_instant(dt: datetime) -> datetime:
    """An instant in UTC; a naive value is read as Europe/London wall-clock time."""
    return uk_time.from_london(dt, in_gap="forward") if dt.tzinfo is None else uk_time.as_utc(dt)


def london_date(dt: datetime) -> date:
    """The Europe/London calendar date of an instant: the date a service counts it on."""
    return uk_time.london_date(as_instant(dt))


def financial_quarter(dt: datetime | date) -> tuple[int, int]:
    """(first calendar year of the UK financial year, quarter 1–4) for an instant or date.

    The financial year starts on 1 April: Q1 Apr–Jun, Q2 Jul–Sep, Q3 Oct–Dec, Q4 Jan–Mar.
    A datetime is placed by its Europe/London local date, because services count by the
    local calendar (see the module docstring).
    """
    day = london_date(dt) if isinstance(dt, datetime) else dt
    if day.month >= 4:
        return day.year, (day.month - 4) // 3 + 1
    return day.year - 1, 4


def financial_year_label(year: int) -> str:
    """'2023/24' for the year starting 1 April 2023."""
    return f"{year}/{(year + 1) % 100:02d}"


def within_timescale(
    found_at: datetime | None, held_at: datetime | None, hours: int = 72
) -> bool:
    """True when the conversation was held no more than ``hours`` after the child was found.

    The 72 hours are :func:`uk_time.within_timescale`, the rule the lists use. Missing times,
    or a conversation recorded as held before the child was found (a data error), never count
    as within: the figure must not flatter the service.
    """
    if found_at is None or held_at is None:
        return False
    limit = timedelta(hours=hours)
    return uk_time.within_timescale(as_instant(found_at), as_instant(held_at), limit) is True


def offered_within_timescale(found_at: datetime | None, offered_at: datetime | None,
                             held_at: datetime | None = None, hours: int = 72) -> bool:
    """True when the conversation was offered no more than ``hours`` after the child was found.

    Beside Gateshead's "held within", so an offer made in time and declined shows as timely
    work. A conversation held was offered no later than it was held, so without a time of
    offer the time held stands in for it; with neither, the offer was not in time.
    """
    return within_timescale(found_at, offered_at or held_at, hours)


def format_percent(numerator: int, denominator: int) -> str:
    """'77.7%' to one decimal place, rounding halves up; '-' when there is nothing to divide."""
    if denominator == 0:
        return "-"
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return f"{value}%"


def _percent_value(numerator: int, denominator: int) -> float | None:
    text = format_percent(numerator, denominator)
    return None if text == "-" else float(text[:-1])


@dataclass(frozen=True)
class QuarterlyRow:
    """One measure: display cells Q1..Q4, Total, and the same as numbers (None for '-')."""

    measure: str
    cells: tuple[str, ...]
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class QuarterlyTable:
    year: int
    cohort: Cohort
    rows: tuple[QuarterlyRow, ...]

    @property
    def title(self) -> str:
        who = "children in care" if self.cohort == "in-care" else "all children"
        return f"{financial_year_label(self.year)}, {who}"

    def as_rows(self) -> list[list[str]]:
        """[measure, Q1, Q2, Q3, Q4, Total] as strings, in the reported order."""
        return [[row.measure, *row.cells] for row in self.rows]

    def row(self, measure: str) -> QuarterlyRow:
        for row in self.rows:
            if row.measure == measure:
                return row
        raise KeyError(measure)

    def quarters(self, measure: str) -> list[float | None]:
        """The Q1..Q4 values of one measure, ready for a chart series."""
        return list(self.row(measure).values[:4])


def _counts(episodes: Sequence[EpisodeFacts]) -> dict[str, int]:
    accepted = [e for e in episodes if e.accepted]
    return {
        "children": len({e.child_key for e in episodes}),
        "episodes": len(episodes),
        "offered": sum(e.offered for e in episodes),
        "accepted": len(accepted),
        "declined": sum(e.declined for e in episodes),
        "within": sum(within_timescale(e.found_at, e.held_at) for e in accepted),
        "offered_within": sum(offered_within_timescale(e.found_at, e.offered_at, e.held_at)
                              for e in episodes if e.offered),
    }


def quarterly_table(
    episodes: Iterable[EpisodeFacts], year: int, cohort: Cohort = "all"
) -> QuarterlyTable:
    """The Gateshead table for the financial year starting 1 April ``year``.

    Each episode belongs to the quarter in which the child was reported missing. The Total
    column counts distinct children across the whole year (a child missing in every quarter
    is one child, not four) and recomputes the percentages from the year's totals.
    """
    if cohort not in ("all", "in-care"):
        raise ValueError(f"unknown cohort: {cohort!r}")
    by_quarter: dict[int, list[EpisodeFacts]] = {1: [], 2: [], 3: [], 4: []}
    for episode in episodes:
        if cohort == "in-care" and not episode.in_care:
            continue
        fy, quarter = financial_quarter(episode.reported_missing_at)
        if fy == year:
            by_quarter[quarter].append(episode)
    periods = [by_quarter[q] for q in (1, 2, 3, 4)]
    periods.append([e for q in (1, 2, 3, 4) for e in by_quarter[q]])
    return table_from_counts(year, cohort, [_counts(p) for p in periods])


COUNT_KEYS = ("children", "episodes", "offered", "accepted", "declined", "within",
              "offered_within")


def table_from_counts(year: int, cohort: Cohort, counts: Sequence[dict[str, int]]
                      ) -> QuarterlyTable:
    """The table from counts already made (Q1..Q4 then the year, keys as in COUNT_KEYS), e.g.
    by the database: the rows, cells and percentages are formed here in one place."""

    def count_row(measure: str, key: str) -> QuarterlyRow:
        values = [c[key] for c in counts]
        return QuarterlyRow(measure, tuple(str(v) for v in values), tuple(map(float, values)))

    def percent_row(measure: str, num: str, den: str) -> QuarterlyRow:
        cells = tuple(format_percent(c[num], c[den]) for c in counts)
        return QuarterlyRow(measure, cells, tuple(_percent_value(c[num], c[den]) for c in counts))

    rows = (
        count_row(MEASURES[0], "children"),
        count_row(MEASURES[1], "episodes"),
        count_row(MEASURES[2], "offered"),
        count_row(MEASURES[3], "accepted"),
        percent_row(MEASURES[4], "accepted", "offered"),
        count_row(MEASURES[5], "declined"),
        count_row(MEASURES[6], "within"),
        percent_row(MEASURES[7], "within", "accepted"),
    )
    return QuarterlyTable(year=year, cohort=cohort, rows=rows)


def to_csv(table: QuarterlyTable) -> str:
    return csv_text(("measure", *COLUMNS), table.as_rows())


def to_text(table: QuarterlyTable) -> str:
    return text_table(("", *COLUMNS), table.as_rows())


