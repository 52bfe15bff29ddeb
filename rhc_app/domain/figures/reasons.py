"""Beside the timeliness figures: why conversations came late, and who held them.

Counted per financial quarter (the quarter the child was reported missing, as every other
figure) and for the year. Plain data in, rows of counts out, tested against hand-worked
examples.

* A **late** episode is one whose conversation was offered, or held, more than 72 hours
  after the child was found (`delay_reasons.is_late`). Each late episode is counted once,
  under the reason recorded, or under "No reason recorded".
* **Held by an independent person** counts conversations held (accepted, with a time held)
  where the worker confirmed the holder is independent of the child's care; the other held
  ones are counted as not independent, or not recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rhc_app.domain.delay_reasons import is_late
from rhc_app.domain.figures.quarterly import financial_quarter
from rhc_app.domain.vocabulary import LATE_REASON_NOT_RECORDED, label_of

Counts = tuple[int, int, int, int, int]  # Q1..Q4 and the year


@dataclass(frozen=True)
class FieldFacts:
    """One episode, as these figures need it."""

    reported_missing_at: datetime
    found_at: datetime | None = None
    offered_at: datetime | None = None
    outcome: str | None = None
    held_at: datetime | None = None
    late_reason: str | None = None
    independent: bool | None = None

    @property
    def held(self) -> bool:
        return self.outcome == "accepted" and self.held_at is not None

    @property
    def late(self) -> bool:
        return is_late(self.found_at, self.offered_at) or (
            self.held and is_late(self.found_at, self.held_at))


def _in_year(facts: Iterable[FieldFacts], year: int) -> list[tuple[int, FieldFacts]]:
    out = []
    for f in facts:
        fy, quarter = financial_quarter(f.reported_missing_at)
        if fy == year:
            out.append((quarter, f))
    return out


def _tally(placed: Sequence[tuple[int, FieldFacts]]) -> Counts:
    q = [0, 0, 0, 0]
    for quarter, _f in placed:
        q[quarter - 1] += 1
    return q[0], q[1], q[2], q[3], sum(q)


def late_reason_rows(facts: Iterable[FieldFacts], year: int, reasons: Mapping[str, str]
                     ) -> list[tuple[str, Counts]]:
    """(label, counts) for every reason in the organisation's list, then any other code
    found in the records (an older list's), then "No reason recorded", then all late."""
    late = [(q, f) for q, f in _in_year(facts, year) if f.late]
    codes = list(reasons) + sorted({f.late_reason for _q, f in late
                                    if f.late_reason and f.late_reason not in reasons})
    rows = [(label_of(reasons, code), _tally([p for p in late if p[1].late_reason == code]))
            for code in codes]
    rows.append((LATE_REASON_NOT_RECORDED, _tally([p for p in late if not p[1].late_reason])))
    rows.append(("All offered or held after 72 hours", _tally(late)))
    return rows


def independence_rows(facts: Iterable[FieldFacts], year: int) -> list[tuple[str, Counts]]:
    held = [(q, f) for q, f in _in_year(facts, year) if f.held]
    return [("Held by an independent person",
             _tally([p for p in held if p[1].independent is True])),
            ("Held by someone not independent",
             _tally([p for p in held if p[1].independent is False])),
            ("Held, independence not recorded",
             _tally([p for p in held if p[1].independent is None]))]
