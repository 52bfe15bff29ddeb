"""Offered within 72 hours, beside Gateshead's held within 72 hours, and which figure key each
measure of the quarterly table counts, so every cell can link to the episodes behind it.

The published table (``quarterly``) is left exactly as Gateshead prints it; the page adds the
offered rows after it with :func:`with_offered_rows`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rhc_app.domain.figures.quarterly import (
    MEASURES,
    QuarterlyRow,
    QuarterlyTable,
    _percent_value,
    format_percent,
)

OFFERED_MEASURES: tuple[str, ...] = ("RHC Offered Within 72 Hours", "% Offered Within 72 Hours")

#: The figure each measure counts (a percentage links to the list of its numerator).
MEASURE_FIGURES: dict[str, str] = {
    MEASURES[0]: "children", MEASURES[1]: "episodes", MEASURES[2]: "offered",
    MEASURES[3]: "accepted", MEASURES[4]: "accepted", MEASURES[5]: "declined",
    MEASURES[6]: "within", MEASURES[7]: "within",
    OFFERED_MEASURES[0]: "offered_within", OFFERED_MEASURES[1]: "offered_within",
}


def with_offered_rows(table: QuarterlyTable, counts: Sequence[dict[str, int]]) -> QuarterlyTable:
    """The table with "offered within 72 hours" (a count, and a percentage of those offered)
    added after the published rows; ``counts`` are the ones the table was made from."""
    values = [c["offered_within"] for c in counts]
    count = QuarterlyRow(OFFERED_MEASURES[0], tuple(map(str, values)),
                         tuple(map(float, values)))
    percent = QuarterlyRow(
        OFFERED_MEASURES[1],
        tuple(format_percent(c["offered_within"], c["offered"]) for c in counts),
        tuple(_percent_value(c["offered_within"], c["offered"]) for c in counts))
    return QuarterlyTable(table.year, table.cohort, (*table.rows, count, percent))


def quarter_dates(year: int) -> list[tuple[date, date]]:
    """(first day, last day) of Q1..Q4 of the financial year starting 1 April ``year``, then
    of the whole year: the periods of the quarterly table's columns."""
    starts = [date(year, 4, 1), date(year, 7, 1), date(year, 10, 1), date(year + 1, 1, 1),
              date(year + 1, 4, 1)]
    quarters = [(starts[i], date.fromordinal(starts[i + 1].toordinal() - 1)) for i in range(4)]
    return [*quarters, (starts[0], quarters[-1][1])]


def month_dates(today: date, months: int) -> list[tuple[date, date]]:
    """(first day, last day) of the last ``months`` calendar months up to ``today``'s, oldest
    first."""
    out = []
    year, month = today.year, today.month
    for _ in range(months):
        first = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        out.append((first, date.fromordinal(nxt.toordinal() - 1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]
