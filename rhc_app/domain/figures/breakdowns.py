"""Who was missing and what put them at risk: the breakdowns by age, gender, ethnicity and
care status, and the risk-factor counts, for the committee report beside the quarterly table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TypedDict

from rhc_app.domain.figures.quarterly import EpisodeFacts, as_instant, london_date
from rhc_app.domain.figures.tables import csv_text, text_table
from rhc_app.domain.risk_factors import codes_for
from rhc_app.domain.uk_time import age_on
from rhc_app.domain.vocabulary import GENDERS

AGE_BANDS: tuple[str, ...] = ("Under 10", "10–11", "12–13", "14–15", "16–17", "18 and over")
UNKNOWN = "Unknown"
GENDER_LABELS = GENDERS  # the vocabulary's words (domain/vocabulary.py)


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
    return csv_text(("code", "label", "count"), counts)


def risk_factors_to_text(counts: Sequence[tuple[str, str, int]]) -> str:
    return text_table(("Risk factor", "Count"), [(label, n) for _code, label, n in counts])


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
        child_episodes.sort(key=lambda e: as_instant(e.reported_missing_at))
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
