"""The quarterly and team figures, counted once and kept until the data changes.

Each figure is kept in this process with the organisation's figures version it was counted
at (store/figures_version.py: replaced in the same transaction as every write that can change
a count). It is reused only while the version this request reads from the database is the
same, so every app process answers as if it had counted again. The version is read before
the counting, in the same transaction: what is kept is never older than the version it is
kept under.

None of these figures depends on the clock (the quarters and months are arguments; "within
72 hours" compares recorded times only), so nothing kept goes stale as time passes. Counts,
quarters and workers' names are kept; nothing about a child.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

from rhc_app.domain import figures
from rhc_app.services import datasets, field_figures, figure_lists
from rhc_app.services.kept_answers import KeptAnswers
from rhc_app.store import figures_version
from rhc_app.store.models import Organisation

T = TypeVar("T")
KEPT = KeptAnswers(figures_version.VERSION, 256)  # years, cohorts, councils: a few MB at most
forget = KEPT.forget


def kept(s: Session, org: Organisation, key: tuple[Hashable, ...],
         count: Callable[[], T]) -> T:
    """`count()`, or what it gave at the organisation's current figures version."""
    return KEPT.get(s, org.id, key, count)


def quarterly_tables(s: Session, org: Organisation, year: int, placing: str = "",
                     host: str = "", *, offered: bool = False
                     ) -> dict[str, figures.QuarterlyTable]:
    """datasets.quarterly_tables for one year, narrowed by a placing or host council."""
    return kept(s, org, ("quarterly", year, placing, host, offered),
                lambda: datasets.quarterly_tables(
                    s, org, year, field_figures.area_filter(placing, host), offered=offered))


def panel(s: Session, org: Organisation, year: int, placing: str = "", host: str = ""
          ) -> dict[str, list[tuple[str, tuple[int, ...]]]]:
    return kept(s, org, ("panel", year, placing, host),
                lambda: field_figures.panel(s, org, year,
                                            field_figures.area_filter(placing, host)))


def area_choices(s: Session, org: Organisation) -> field_figures.AreaChoice:
    return kept(s, org, ("areas",), lambda: field_figures.area_choices(s, org))


def by_worker_and_month(s: Session, org: Organisation, months: list[tuple[date, date]]
                        ) -> list[figure_lists.WorkerMonth]:
    return kept(s, org, ("timeliness", tuple(months)),
                lambda: figure_lists.by_worker_and_month(s, org, months))
