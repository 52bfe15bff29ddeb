"""Children still missing: episodes with no found time, how long, and what is due while they
are (a strategy meeting for a child in care, telling a senior manager at 72 hours); and the
record that a senior manager was told."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from rhc_app.domain import strategy
from rhc_app.domain.uk_time import as_utc, today_in_london
from rhc_app.security import audit
from rhc_app.security.access import episode_filter
from rhc_app.services.errors import CaseworkError
from rhc_app.services.strategy import decision_facts_by_child, episode_fact, rules_for
from rhc_app.store.db import utcnow
from rhc_app.store.models import Child, Episode, SeniorManagerNotice, User

TOLD_MAX = 200


@dataclass
class MissingRow:
    episode: Episode
    child: Child
    missing_words: str  # "2 days 4 hours"
    meeting_due_on: date | None  # a child in care: the day a meeting is due by, if not yet decided
    meeting_overdue: bool
    tell_senior_manager: bool  # missing past the set hours and no one told yet
    told: SeniorManagerNotice | None


def notices(s: Session, episode_ids: Iterable[str]) -> dict[str, SeniorManagerNotice]:
    ids = list(set(episode_ids))
    out: dict[str, SeniorManagerNotice] = {}
    for i in range(0, len(ids), 1000):
        for n in s.execute(select(SeniorManagerNotice).where(
                SeniorManagerNotice.episode_id.in_(ids[i:i + 1000]))
                .order_by(SeniorManagerNotice.recorded_at)).scalars():
            out[n.episode_id] = n  # the latest
    return out


def still_missing(s: Session, user: User, now: datetime) -> list[MissingRow]:
    """The episodes with no found time that `user` may open, longest missing first."""
    child = aliased(Child)  # episode_filter's subqueries name Child themselves
    found = s.execute(select(Episode, child).join(child, Episode.child_id == child.id)
                      .where(episode_filter(user), Episode.found_at.is_(None))
                      .order_by(Episode.reported_missing_at)).all()
    rules = rules_for(user.organisation)
    told = notices(s, (e.id for e, _ in found))
    decided = decision_facts_by_child(s, (c.id for _, c in found))
    today = today_in_london(now)
    out = []
    for episode, kid in found:
        fact = episode_fact(episode)
        due_on = None
        if episode.in_care and not strategy.covered(fact, decided.get(kid.id, [])):
            due_on = strategy.in_care_due_on(episode.reported_missing_at, rules)
        notice = told.get(episode.id)
        out.append(MissingRow(
            episode, kid, strategy.missing_words(episode.reported_missing_at, now), due_on,
            due_on is not None and today > due_on,
            strategy.senior_manager_due(episode.reported_missing_at, None, now, rules,
                                        told=notice is not None), notice))
    return out


def record_senior_manager_told(s: Session, user: User, episode: Episode, told_name: str,
                               told_at: datetime | None, now: datetime | None = None
                               ) -> SeniorManagerNotice:
    now = now or utcnow()
    if user.role != "manager":  # the views refuse first; a command or test may not
        raise CaseworkError("Only a manager can record that a senior manager was told",
                            "told_name")
    name = " ".join((told_name or "").split())
    if not name:
        raise CaseworkError("Enter the name of the senior manager who was told", "told_name")
    if told_at is None:
        raise CaseworkError("Enter the date and time they were told", "told_at")
    if as_utc(told_at) > as_utc(now):
        raise CaseworkError("The time they were told must be now or in the past", "told_at")
    if as_utc(told_at) < as_utc(episode.reported_missing_at):
        raise CaseworkError("The time they were told must be after the child was reported "
                            "missing", "told_at")
    notice = SeniorManagerNotice(organisation_id=episode.organisation_id, episode_id=episode.id,
                                 told_name=name, told_at=told_at, recorded_at=now,
                                 recorded_by=user.id)
    s.add(notice)
    s.flush()
    audit.record(s, "senior_manager_told", user_id=user.id, org_id=user.organisation_id,
                 record_type="episode", record_id=episode.id)
    return notice
