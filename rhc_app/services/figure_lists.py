"""The figures' definitions as database conditions, and the episodes behind any figure.

One definition per figure (:func:`conditions`) serves both the count on the page
(``datasets.quarterly_counts``, :func:`by_worker_and_month`) and the list a manager opens from
it (:func:`listed`), so a number in a committee paper and its list cannot disagree. The pure
reference for the same rules is ``domain.figures`` (tests hold the two together).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import Session, load_only

from rhc_app.domain import uk_time
from rhc_app.security import audit
from rhc_app.store.models import Child, Conversation, Episode, Organisation, User

COHORTS = ("all", "in-care")
NOT_ALLOCATED = "none"  # the worker filter for conversations no worker holds


def london_day_start(d: date) -> datetime:
    return uk_time.from_london(datetime.combine(d, time(0)))  # UK midnight never falls in a gap


def _within(dialect: str, later: Any) -> Any:
    """`later` no earlier than found and at most 72 hours after (uk_time.within_timescale)."""
    if dialect == "sqlite":
        seconds = (func.julianday(later) - func.julianday(Episode.found_at)) * 86400
        # julianday is a float: half a second of slack either side keeps exactly 72 h within
        return and_(later.is_not(None), Episode.found_at.is_not(None), seconds >= -0.5,
                    seconds <= uk_time.DEADLINE.total_seconds() + 0.5)
    gap = later - Episode.found_at
    return and_(later.is_not(None), Episode.found_at.is_not(None), gap >= timedelta(0),
                gap <= uk_time.DEADLINE)


def conditions(dialect: str) -> dict[str, Any]:
    """Each figure's condition on an episode joined to its conversation (Gateshead's rows,
    and offered within 72 hours). "children" counts distinct children of the episodes."""
    offered = or_(Conversation.offered_at.is_not(None),
                  Conversation.outcome.in_(("accepted", "declined")))
    accepted = and_(offered, Conversation.outcome == "accepted")
    offer_time = func.coalesce(Conversation.offered_at, Conversation.held_at)
    return {
        "children": true(), "episodes": true(), "offered": offered, "accepted": accepted,
        "declined": Conversation.outcome == "declined",
        "within": and_(accepted, _within(dialect, Conversation.held_at)),
        "offered_within": and_(offered, _within(dialect, offer_time)),
    }


@dataclass(frozen=True)
class Scope:
    """Which episodes a figure counts: reported missing between two UK dates (inclusive), the
    cohort, and optionally the worker holding the conversation (a user id or NOT_ALLOCATED)."""

    start: date
    end: date
    cohort: str = "all"
    worker: str | None = None

    def where(self, org: Organisation) -> list[Any]:
        lo, hi = london_day_start(self.start), london_day_start(self.end + timedelta(days=1))
        out = [Episode.organisation_id == org.id, Episode.reported_missing_at >= lo,
               Episode.reported_missing_at < hi]
        if self.cohort == "in-care":
            out.append(Episode.in_care.is_(True))
        if self.worker == NOT_ALLOCATED:
            out.append(Conversation.worker_id.is_(None))
        elif self.worker:
            out.append(Conversation.worker_id == self.worker)
        return out

    def describe(self) -> str:
        """For the audit log: codes and dates only."""
        return f"{self.start} to {self.end} {self.cohort} worker {self.worker or 'any'}"


@dataclass(frozen=True)
class ListedEpisode:
    """One row of a figure's list: plain values, the case reference opened for display."""

    case_reference: str
    reported_missing_at: datetime
    found_at: datetime | None
    offered_at: datetime | None
    held_at: datetime | None
    status: str
    in_care: bool
    worker_name: str | None
    episode_id: str
    conversation_id: str
    child_id: str


def listed(s: Session, org: Organisation, figure: str, scope: Scope) -> list[ListedEpisode]:
    """The episodes behind one figure (for "children", each child's latest episode), oldest
    first. Unknown figures raise KeyError: the caller checks against vocabulary.FIGURES."""
    condition = conditions(s.get_bind().dialect.name)[figure]
    found = s.execute(
        select(Episode, Conversation, Child)
        .join(Conversation, Conversation.episode_id == Episode.id)
        .join(Child, Child.id == Episode.child_id)
        .where(*scope.where(org), condition)
        .options(load_only(Child.id, Child.case_reference_enc),
                 load_only(Conversation.id, Conversation.status, Conversation.offered_at,
                           Conversation.held_at, Conversation.worker_id))
        .order_by(Episode.reported_missing_at, Episode.id)).all()
    if figure == "children":  # one row a child: its latest episode in the period
        latest = {child.id: (e, c, child) for e, c, child in found}
        found = sorted(latest.values(), key=lambda r: (r[0].reported_missing_at, r[0].id))
    names = worker_names(s, org)
    return [ListedEpisode(child.case_reference or "", e.reported_missing_at, e.found_at,
                          c.offered_at, c.held_at, c.status, bool(e.in_care),
                          names.get(c.worker_id or ""), e.id, c.id, child.id)
            for e, c, child in found]


def list_for_manager(s: Session, manager: User, figure: str, scope: Scope
                     ) -> list[ListedEpisode]:
    """The list, audited in the caller's transaction: which manager listed which figure."""
    rows = listed(s, manager.organisation, figure, scope)
    audit.record(s, "figure_listed", user_id=manager.id, org_id=manager.organisation_id,
                 record_type="figure", record_id=figure, detail=scope.describe())
    return rows


def worker_names(s: Session, org: Organisation) -> dict[str, str]:
    users = s.execute(select(User).where(User.organisation_id == org.id)).scalars()
    return {u.id: u.name or "" for u in users}


TIMELINESS_FIGURES = ("episodes", "offered_within", "within")


@dataclass(frozen=True)
class WorkerMonth:
    worker: str  # a user id, or NOT_ALLOCATED
    worker_name: str
    months: list[tuple[date, date, dict[str, int]]]  # (first day, last day, counts)


def by_worker_and_month(s: Session, org: Organisation, months: list[tuple[date, date]]
                        ) -> list[WorkerMonth]:
    """For each worker who held a conversation about an episode reported in these months:
    per month, episodes, offered within 72 hours and held within 72 hours (by the same
    conditions the lists use). Workers by name; conversations no one holds last."""
    cond = conditions(s.get_bind().dialect.name)
    counts: dict[str, dict[int, dict[str, int]]] = {}
    for i, (first, last) in enumerate(months):
        columns = [func.coalesce(func.sum(case((cond[k], 1), else_=0)), 0)
                   for k in TIMELINESS_FIGURES]
        query = (select(Conversation.worker_id, *columns)
                 .join(Episode, Conversation.episode_id == Episode.id)
                 .where(*Scope(first, last).where(org)).group_by(Conversation.worker_id))
        for worker_id, *values in s.execute(query):
            key = worker_id or NOT_ALLOCATED
            counts.setdefault(key, {})[i] = dict(zip(TIMELINESS_FIGURES, map(int, values),
                                                     strict=True))
    names = worker_names(s, org)
    empty = dict.fromkeys(TIMELINESS_FIGURES, 0)
    out = [WorkerMonth(w, names.get(w, "Not allocated") if w != NOT_ALLOCATED
                       else "Not allocated",
                       [(f, last, per.get(i, empty)) for i, (f, last) in enumerate(months)])
           for w, per in counts.items()]
    return sorted(out, key=lambda r: (r.worker == NOT_ALLOCATED, r.worker_name.lower()))
