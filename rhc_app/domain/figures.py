"""The performance figures every service reports (the Gateshead tables), as pure functions.

Plain data in (:class:`EpisodeFacts`, built by the caller from whatever it stores), plain data
out. Nothing here knows about Flask or the database, so every cell of every table can be
tested directly with episodes whose answers are known.

Two rules shape the whole module:

* **Periods are counted on the Europe/London calendar.** Services count "the quarter in which
  the child was reported missing" by the date on the police log and the wall calendar, not by
  UTC. A child reported at 00:30 on 1 April BST (23:30 UTC on 31 March) belongs to Q1 of the
  new year, exactly as the committee report would count it.
* **The 72-hour clock runs on real elapsed time**, by the one rule in :mod:`rhc_app.domain.uk_time`
  that the lists use too. Naive times here are London wall clock (as imported files give them).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, TypedDict

from rhc_app.domain import uk_time
from rhc_app.domain.risk_factors import codes_for
from rhc_app.domain.uk_time import age_on

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
AGE_BANDS: tuple[str, ...] = ("Under 10", "10–11", "12–13", "14–15", "16–17", "18 and over")
UNKNOWN = "Unknown"
GENDER_LABELS: dict[str, str] = {
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "not_recorded": "Not recorded",
}


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


def _utc(dt: datetime) -> datetime:
    """An instant in UTC; a naive value is read as Europe/London wall-clock time."""
    return uk_time.from_london(dt, in_gap="forward") if dt.tzinfo is None else uk_time.as_utc(dt)


def london_date(dt: datetime) -> date:
    """The Europe/London calendar date of an instant: the date a service counts it on."""
    return uk_time.london_date(_utc(dt))


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
    return uk_time.within_timescale(_utc(found_at), _utc(held_at), limit) is True


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


COUNT_KEYS = ("children", "episodes", "offered", "accepted", "declined", "within")


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


# Characters a spreadsheet skips before deciding a cell is a formula: whitespace (including
# the no-break space), and the zero-width and byte-order marks that show as nothing.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u180e"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (the OWASP CSV-injection advice).

    Labels can come from an organisation's own settings and older records, so the check is
    made on the text as a spreadsheet reads it: look-alike characters folded (NFKC, so a
    full-width ＝ is =), leading whitespace and invisible characters skipped. If that starts
    with = + - @ tab or CR, the cell is prefixed with an apostrophe. A lone "-" (no figure)
    is left as it is.
    """
    text = "" if value is None else str(value)
    if text == "-":
        return text
    folded = unicodedata.normalize("NFKC", text)
    start = 0
    while start < len(folded) and (folded[start] in _INVISIBLE or (
            folded[start].isspace() and folded[start] not in "\t\r")):
        start += 1
    if folded[start:].startswith(_FORMULA_START):
        return "'" + text
    return text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_safe(v) for v in row] for row in rows)
    return out.getvalue()


def _text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Plain text with the first column left-aligned and the figures right-aligned."""
    table = [list(map(str, header))] + [list(map(str, r)) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for r in table:
        figures = [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        cells = [r[0].ljust(widths[0]), *figures]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def to_csv(table: QuarterlyTable) -> str:
    return _csv(("measure", *COLUMNS), table.as_rows())


def to_text(table: QuarterlyTable) -> str:
    return _text(("", *COLUMNS), table.as_rows())


def risk_factor_counts(
    episodes: Iterable[EpisodeFacts],
    start: date,
    end: date,
    extra_codes: Mapping[str, str] | None = None,
) -> list[tuple[str, str, int]]:
    """(code, label, count) over conversations held between ``start`` and ``end`` inclusive.

    A code counts once per conversation however often it was recorded. Largest first, ties
    by code so the order is stable between runs; codes no conversation raised are omitted.
    A code no longer in the list keeps its code as its label rather than vanishing.
    """
    labels = codes_for(extra_codes)
    counter: Counter[str] = Counter()
    for e in episodes:
        if e.held_at is not None and start <= london_date(e.held_at) <= end:
            counter.update(set(e.risk_factors))
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [(code, labels.get(code, code), n) for code, n in ordered if n > 0]


def risk_factors_to_csv(counts: Sequence[tuple[str, str, int]]) -> str:
    return _csv(("code", "label", "count"), counts)


def risk_factors_to_text(counts: Sequence[tuple[str, str, int]]) -> str:
    return _text(("Risk factor", "Count"), [(label, n) for _code, label, n in counts])


def age_band(date_of_birth: date | None, as_of: date) -> str:
    """The reporting band for a child's age on ``as_of`` ('Unknown' without a birth date)."""
    if date_of_birth is None:
        return UNKNOWN
    age = age_on(date_of_birth, as_of)
    if age < 10:
        return AGE_BANDS[0]
    if age >= 18:
        return AGE_BANDS[-1]
    return AGE_BANDS[(age - 10) // 2 + 1]


class Breakdown(TypedDict):
    """Distinct missing children in a period; each list is (label, count) rows for a table."""

    children: int
    age: list[tuple[str, int]]
    gender: list[tuple[str, int]]
    ethnicity: list[tuple[str, int]]
    care_status: list[tuple[str, int]]


def _latest_known(episodes: Sequence[EpisodeFacts], attr: str) -> object | None:
    for e in reversed(episodes):
        value = getattr(e, attr)
        if value not in (None, ""):
            return value
    return None


def breakdown(
    episodes: Iterable[EpisodeFacts], start: date, end: date, as_of: date
) -> Breakdown:
    """Distinct children reported missing between ``start`` and ``end`` (inclusive, local dates).

    Each child is counted once. Care status comes from the child's most recent episode in the
    period (a child who came into care during the quarter is reported as in care); birth date,
    gender and ethnicity come from the most recent episode that records them. Age, gender and
    care status list every category, including zeros, so tables keep the same shape from one
    report to the next; ethnicity lists only what was recorded, largest first, Unknown last.
    """
    per_child: dict[str, list[EpisodeFacts]] = {}
    for e in episodes:
        if start <= london_date(e.reported_missing_at) <= end:
            per_child.setdefault(e.child_key, []).append(e)
    ages: Counter[str] = Counter()
    genders: Counter[str] = Counter()
    ethnicities: Counter[str] = Counter()
    care: Counter[str] = Counter()
    for child_episodes in per_child.values():
        child_episodes.sort(key=lambda e: _utc(e.reported_missing_at))
        dob = _latest_known(child_episodes, "date_of_birth")
        ages[age_band(dob if isinstance(dob, date) else None, as_of)] += 1
        gender = _latest_known(child_episodes, "gender")
        genders[GENDER_LABELS.get(str(gender), str(gender)) if gender else UNKNOWN] += 1
        ethnicity = _latest_known(child_episodes, "ethnicity")
        ethnicities[str(ethnicity).strip() if ethnicity else UNKNOWN] += 1
        care["In care" if child_episodes[-1].in_care else "At home"] += 1

    def fixed(counter: Counter[str], order: Sequence[str]) -> list[tuple[str, int]]:
        others = sorted(k for k in counter if k not in order and k != UNKNOWN)
        rows = [(k, counter[k]) for k in (*order, *others)]
        return rows + [(UNKNOWN, counter[UNKNOWN])]

    known = sorted(
        ((k, n) for k, n in ethnicities.items() if k != UNKNOWN), key=lambda r: (-r[1], r[0])
    )
    return Breakdown(
        children=len(per_child),
        age=fixed(ages, AGE_BANDS),
        gender=fixed(genders, tuple(GENDER_LABELS.values())),
        ethnicity=known + ([(UNKNOWN, ethnicities[UNKNOWN])] if ethnicities[UNKNOWN] else []),
        care_status=[("In care", care["In care"]), ("At home", care["At home"])],
    )
