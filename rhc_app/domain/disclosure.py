"""Small counts in what leaves the service (the partner export, the committee CSV and PDF).

A count of 1 to 4 children in one quarter, age band or ethnic group, beside the area and the
dates, can be enough to pick out a child. Outputs shared outside the team show such counts
as "<5" (the organisation's threshold, 5 unless set), and leave out a percentage made from
one, since the percentage would give the count back. 0 is shown: it identifies nobody. The
manager's own pages keep the exact figures: they already see every record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rhc_app.domain.figures import COLUMNS, MEASURES, OFFERED_MEASURES, QuarterlyTable, csv_text

DEFAULT_THRESHOLD = 5
WITHHELD = "Withheld: fewer than {n} children"
NOT_SHOWN = "suppressed"

# The percentage rows and the counts each is made from (as figures.table_from_counts).
_PERCENT_FROM = {MEASURES[4]: (MEASURES[3], MEASURES[2]), MEASURES[7]: (MEASURES[6], MEASURES[3]),
                 OFFERED_MEASURES[1]: (OFFERED_MEASURES[0], MEASURES[2])}


def note(threshold: int) -> str:
    return (f"Counts below {threshold} (other than 0) are shown as '<{threshold}' to protect "
            "children's identities; a percentage made from such a count is shown as "
            f"'{NOT_SHOWN}'.")


def is_small(count: int, threshold: int) -> bool:
    return 0 < count < threshold


def count_cell(count: int, threshold: int) -> str:
    return f"<{threshold}" if is_small(count, threshold) else str(count)


def _small_cell(cell: str, threshold: int) -> bool:
    return cell.isdigit() and is_small(int(cell), threshold)


def table_rows(table: QuarterlyTable, threshold: int) -> list[list[str]]:
    """The quarterly table's rows ([measure, Q1..Q4, Total]) with small counts suppressed."""
    by_measure = {row.measure: row.cells for row in table.rows}
    out = []
    for row in table.rows:
        if row.measure in _PERCENT_FROM:
            num, den = (by_measure[m] for m in _PERCENT_FROM[row.measure])
            cells = [NOT_SHOWN if _small_cell(n, threshold) or _small_cell(d, threshold) else c
                     for c, n, d in zip(row.cells, num, den, strict=True)]
        else:
            cells = [count_cell(int(c), threshold) if c.isdigit() else c for c in row.cells]
        out.append([row.measure, *cells])
    return out


def count_rows(rows: Iterable[Sequence[object]], threshold: int) -> list[list[object]]:
    """(label…, count) rows with the last column suppressed when small."""
    return [[*r[:-1], count_cell(int(r[-1]), threshold)] for r in rows]  # type: ignore[call-overload]


def rare_values(values: Iterable[tuple[str, str | None]], threshold: int) -> set[str]:
    """Of (child, value) pairs, the values held by fewer than `threshold` distinct children."""
    children: dict[str, set[str]] = {}
    for child, value in values:
        if value:
            children.setdefault(value, set()).add(child)
    counts = Counter({v: len(c) for v, c in children.items()})
    return {v for v, n in counts.items() if n < threshold}


def quarterly_csv(table: QuarterlyTable, threshold: int) -> str:
    blank = [""] * len(COLUMNS)
    return csv_text(("measure", *COLUMNS), [*table_rows(table, threshold), [note(threshold), *blank]])


def risk_factors_csv(counts: Sequence[tuple[str, str, int]], threshold: int) -> str:
    return csv_text(("code", "label", "count"), [*count_rows(counts, threshold),
                                                 [note(threshold), "", ""]])
