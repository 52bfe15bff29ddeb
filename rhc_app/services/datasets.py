"""The standard dataset out of the database, and the facts the reports count. Importing it
is in dataset_import.py (its names are re-exported here for the callers).

No Flask: the `rhc` commands and the report pages both call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import Session

from rhc_app.domain import covering, figures
from rhc_app.domain import ethnicity as ethnic_groups
from rhc_app.domain.dataset import DatasetRow
from rhc_app.domain.figures import EpisodeFacts
from rhc_app.services import figure_lists
from rhc_app.services.dataset_import import ImportSummary, import_file, import_rows, validate
from rhc_app.store.models import Child, Conversation, Episode, Organisation

__all__ = ["ImportSummary", "export_rows", "facts", "held_facts", "import_file", "import_rows",
           "quarterly_counts", "quarterly_tables", "validate"]


_london_day_start = figure_lists.london_day_start


def facts(s: Session, org: Organisation, start: date, end: date, *, personal: bool = False
          ) -> list[EpisodeFacts]:
    """Episodes reported missing between two UK dates (inclusive). The quarterly figures need
    only times and outcomes, so nothing else is loaded; `personal` adds gender and opens the
    sealed date of birth and ethnicity, for the breakdown."""
    lo, hi = _london_day_start(start), _london_day_start(end + timedelta(days=1))
    query = (select(Episode.reported_missing_at, Episode.found_at, Episode.in_care,
                    Episode.child_id, Conversation.offered_at, Conversation.outcome,
                    Conversation.held_at)
             .join(Conversation, Conversation.episode_id == Episode.id)
             .where(Episode.organisation_id == org.id, Episode.reported_missing_at >= lo,
                    Episode.reported_missing_at < hi))
    rows = s.execute(query).all()
    about: dict[str, tuple[date | None, str | None, str | None]] = {}
    if personal and rows:
        ids = list({r[3] for r in rows})
        for i in range(0, len(ids), 5000):  # bounded IN lists
            for child in s.execute(select(Child).where(Child.id.in_(ids[i:i + 5000]))).scalars():
                dob = date.fromisoformat(child.date_of_birth) if child.date_of_birth else None
                # Older free-text values are counted under their census category.
                about[child.id] = (dob, child.gender, ethnic_groups.display(child.ethnicity))
    out = []
    for reported, found, in_care, child_id, offered, outcome, held in rows:
        dob, gender, ethnicity = about.get(child_id, (None, None, None))
        out.append(EpisodeFacts(child_key=child_id, in_care=bool(in_care),
                                reported_missing_at=reported, found_at=found,
                                offered_at=offered, outcome=outcome, held_at=held,
                                date_of_birth=dob, gender=gender, ethnicity=ethnicity))
    return out


def _quarter_starts(year: int) -> list[datetime]:
    """1 April, 1 July, 1 October, 1 January and the next 1 April, at UK midnight, in UTC."""
    days = [date(year, 4, 1), date(year, 7, 1), date(year, 10, 1), date(year + 1, 1, 1),
            date(year + 1, 4, 1)]
    return [_london_day_start(d) for d in days]


def quarterly_counts(s: Session, org: Organisation, year: int, where: Sequence[Any] = ()
                     ) -> dict[str, list[dict[str, int]]]:
    """The counts behind the quarterly tables of both cohorts, made by the database
    (Q1..Q4, then the year): a whole borough's history is counted without loading it.
    Tested against the reference definition in domain.figures. ``where`` narrows it by the
    child (field_figures.area_filter: placing or host council)."""
    starts = _quarter_starts(year)
    reported = Episode.reported_missing_at
    quarter = case((reported < starts[1], 1), (reported < starts[2], 2),
                   (reported < starts[3], 3), else_=4)
    # The figures' one definition, which the lists behind them use too (figure_lists.py).
    defined = figure_lists.conditions(s.get_bind().dialect.name)
    conditions = {k: defined[k] for k in figures.COUNT_KEYS[2:]}
    in_care = Episode.in_care.is_(True)

    def measures(only_in_care: bool) -> list[Any]:
        def when(cond: Any) -> Any:
            return and_(cond, in_care) if only_in_care else cond

        child = case((in_care, Episode.child_id)) if only_in_care else Episode.child_id
        return [func.count(func.distinct(child)),
                func.coalesce(func.sum(case((when(true()), 1), else_=0)), 0),
                *[func.coalesce(func.sum(case((when(c), 1), else_=0)), 0)
                  for c in conditions.values()]]

    columns = measures(False) + measures(True)
    keys = figures.COUNT_KEYS

    def query(*extra: Any) -> Any:
        q = (select(*extra, *columns).join(Conversation, Conversation.episode_id == Episode.id)
             .where(Episode.organisation_id == org.id, reported >= starts[0],
                    reported < starts[4]))
        return q.join(Child, Child.id == Episode.child_id).where(*where) if where else q

    def split(values: Any) -> tuple[dict[str, int], dict[str, int]]:
        values = [int(v or 0) for v in values]
        n = len(keys)
        return dict(zip(keys, values[:n], strict=True)), dict(zip(keys, values[n:], strict=True))

    per_quarter = {q: split(rest) for q, *rest in s.execute(query(quarter).group_by(quarter))}
    empty = (dict.fromkeys(keys, 0), dict.fromkeys(keys, 0))
    year_all, year_care = split(s.execute(query()).one())
    quarters = [per_quarter.get(q, empty) for q in (1, 2, 3, 4)]
    return {"all": [q[0] for q in quarters] + [year_all],
            "in-care": [q[1] for q in quarters] + [year_care]}


def quarterly_tables(s: Session, org: Organisation, year: int, where: Sequence[Any] = (), *,
                     offered: bool = False) -> dict[str, figures.QuarterlyTable]:
    """Gateshead's tables; `offered` adds the offered-within-72-hours rows (for the page);
    `where` narrows them by the child (placing or host council)."""
    out = {}
    for cohort, counts in quarterly_counts(s, org, year, where).items():
        table = figures.table_from_counts(year, cohort, counts)  # type: ignore[arg-type]
        out[cohort] = figures.with_offered_rows(table, counts) if offered else table
    return out


def held_facts(s: Session, org: Organisation, start: date, end: date) -> list[EpisodeFacts]:
    """Conversations held in a period (risk factors count by when the conversation was held).
    A covered episode's own row carries its covering conversation's time held, not a
    conversation of its own: it is left out, so one conversation's risk factors count once."""
    lo, hi = _london_day_start(start), _london_day_start(end + timedelta(days=1))
    rows = s.execute(
        select(Conversation.held_at, Conversation.risk_factors, Episode.reported_missing_at,
               Episode.found_at, Episode.in_care, Episode.child_id)
        .join(Episode, Conversation.episode_id == Episode.id)
        .where(Conversation.organisation_id == org.id, Conversation.held_at >= lo,
               Conversation.held_at < hi, Conversation.status != covering.COVERED)).all()
    return [EpisodeFacts(child_key=cid, in_care=bool(care), reported_missing_at=rep,
                         found_at=found, outcome="accepted", held_at=held,
                         risk_factors=tuple(codes or ()))
            for held, codes, rep, found, care, cid in rows]


def export_rows(s: Session, org: Organisation, start: date, end: date) -> Iterable[DatasetRow]:
    lo, hi = _london_day_start(start), _london_day_start(end + timedelta(days=1))
    found = s.execute(
        select(Episode, Conversation, Child)
        .join(Conversation, Conversation.episode_id == Episode.id)
        .join(Child, Child.id == Episode.child_id)
        .where(Episode.organisation_id == org.id, Episode.reported_missing_at >= lo,
               Episode.reported_missing_at < hi)
        .order_by(Episode.reported_missing_at)).all()
    for episode, conv, child in found:
        yield DatasetRow(
            child_ref=child.case_reference or child.id, child_name=None,
            date_of_birth=date.fromisoformat(child.date_of_birth) if child.date_of_birth
            else None, gender=child.gender, ethnicity=child.ethnicity, in_care=episode.in_care,
            episode_ref=episode.episode_ref or episode.id,
            reported_missing_at=episode.reported_missing_at, found_at=episode.found_at,
            police_risk=episode.police_risk, rhc_offered_at=conv.offered_at,
            rhc_outcome=conv.outcome, rhc_held_at=conv.held_at,  # type: ignore[arg-type]
            risk_factors=tuple(conv.risk_factors or ()),
            placing_authority=child.placing_authority, host_area=child.host_area,
            late_reason=conv.late_reason, holder_role=conv.holder_role,
            held_by_independent=conv.holder_independent)
