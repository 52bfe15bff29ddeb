"""The quarterly page's issue 17 figures: late reasons and independence by quarter, and the
filter by a child's placing or host council. No Flask; the reports view calls these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.documents.report_pdf import ReportTable
from rhc_app.domain import disclosure
from rhc_app.domain.figures import COLUMNS
from rhc_app.domain.figures.reasons import FieldFacts, independence_rows, late_reason_rows
from rhc_app.services.conversation_fields import late_reasons
from rhc_app.services.datasets import _quarter_starts
from rhc_app.store.models import Child, Conversation, Episode, Organisation


@dataclass(frozen=True)
class AreaChoice:
    """The councils the organisation's children are recorded with, to filter by."""

    placing: tuple[str, ...]
    host: tuple[str, ...]


def area_choices(s: Session, org: Organisation) -> AreaChoice:
    def distinct(column: Any) -> tuple[str, ...]:
        return tuple(sorted(v for (v,) in s.execute(
            select(column).where(Child.organisation_id == org.id, column.is_not(None))
            .distinct()) if v))

    return AreaChoice(distinct(Child.placing_authority), distinct(Child.host_area))


def area_filter(placing: str | None, host: str | None) -> list[Any]:
    """Conditions on the child for the quarterly queries (values from `area_choices`)."""
    where = []
    if placing:
        where.append(Child.placing_authority == placing)
    if host:
        where.append(Child.host_area == host)
    return where


def field_facts(s: Session, org: Organisation, year: int, where: Sequence[Any] = ()
                ) -> list[FieldFacts]:
    """The year's episodes (by when the child was reported missing), only the codes and
    times these figures count: nothing sealed is opened."""
    starts = _quarter_starts(year)
    query = (select(Episode.reported_missing_at, Episode.found_at, Conversation.offered_at,
                    Conversation.outcome, Conversation.held_at, Conversation.late_reason,
                    Conversation.holder_independent)
             .join(Conversation, Conversation.episode_id == Episode.id)
             .where(Episode.organisation_id == org.id,
                    Episode.reported_missing_at >= starts[0],
                    Episode.reported_missing_at < starts[4]))
    if where:
        query = query.join(Child, Child.id == Episode.child_id).where(*where)
    return [FieldFacts(reported_missing_at=rep, found_at=found, offered_at=offered,
                       outcome=outcome, held_at=held, late_reason=reason, independent=indep)
            for rep, found, offered, outcome, held, reason, indep in s.execute(query)]


def panel(s: Session, org: Organisation, year: int, where: Sequence[Any] = ()
          ) -> dict[str, list[tuple[str, tuple[int, ...]]]]:
    """The rows shown beside the timeliness figures: late reasons, then who held it."""
    facts = field_facts(s, org, year, where)
    return {"late": late_reason_rows(facts, year, late_reasons(org)),
            "independence": independence_rows(facts, year)}


PANEL_TITLES = {"late": "Reasons for a late offer or conversation",
                "independence": "Who held the conversation"}


def report_tables(panel_rows: dict[str, list[tuple[str, tuple[int, ...]]]], label: str,
                  threshold: int) -> list[ReportTable]:
    """The panel for the committee paper: small counts suppressed, as every count there."""
    return [ReportTable(f"{PANEL_TITLES[key]}, {label}", ["", *COLUMNS],
                        [[text, *(disclosure.count_cell(c, threshold) for c in counts)]
                         for text, counts in rows])
            for key, rows in panel_rows.items()]
