"""Strategy meeting decisions: recording one, where a child's stands, and the ones due across
the organisation. The rules themselves are in domain/strategy.py; this reads the facts they
need and writes the decision with its audit event (the caller commits)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.documents.strategy_section import DecisionInfo
from rhc_app.domain import strategy
from rhc_app.domain.strategy import DecisionFact, DecisionState, EpisodeFact, Rules
from rhc_app.domain.uk_time import today_in_london
from rhc_app.domain.vocabulary import STRATEGY_DECISIONS, STRATEGY_DECISIONS_MANAGER_ONLY
from rhc_app.security import audit
from rhc_app.services.errors import CaseworkError
from rhc_app.store.db import utcnow
from rhc_app.store.models import Child, Episode, Organisation, StrategyDecision, User

# Triggers older than this are not looked for on the dashboard: it bounds the query, and a
# year is longer than any decision could reasonably still be waiting.
LOOKBACK = timedelta(days=365)
CHAIR_MAX = 200
REASON_MAX = 2000


def rules_for(org: Organisation) -> Rules:
    return Rules(threshold=int(org.setting("repeat_threshold")),
                 window_days=int(org.setting("repeat_window_days")),
                 decision_working_days=int(org.setting("decision_working_days")),
                 in_care_meeting_day=int(org.setting("in_care_meeting_day")),
                 senior_manager_hours=int(org.setting("senior_manager_hours")))


def episode_fact(e: Episode) -> EpisodeFact:
    return EpisodeFact(e.id, e.reported_missing_at, e.found_at, e.in_care)


def decision_fact(d: StrategyDecision) -> DecisionFact:
    return DecisionFact(d.kind, d.recorded_at, d.meeting_on)


def decisions_by_child(s: Session, child_ids: Iterable[str]) -> dict[str, list[StrategyDecision]]:
    ids = list(set(child_ids))
    out: dict[str, list[StrategyDecision]] = defaultdict(list)
    for i in range(0, len(ids), 1000):  # bounded IN lists
        for d in s.execute(select(StrategyDecision)
                           .where(StrategyDecision.child_id.in_(ids[i:i + 1000]))
                           .order_by(StrategyDecision.recorded_at)).scalars():
            out[d.child_id].append(d)
    return out


def decision_facts_by_child(s: Session, child_ids: Iterable[str]
                            ) -> dict[str, list[DecisionFact]]:
    return {cid: [decision_fact(d) for d in ds]
            for cid, ds in decisions_by_child(s, child_ids).items()}


def child_state(s: Session, org: Organisation, child: Child, now: datetime) -> DecisionState:
    """Counted over all the child's episodes, also those a worker may not open: the counts
    and dates are codes, and the decision is about the child."""
    episodes = s.execute(select(Episode).where(Episode.child_id == child.id)).scalars().all()
    decisions = decisions_by_child(s, [child.id]).get(child.id, [])
    return strategy.decision_state([episode_fact(e) for e in episodes],
                                   [decision_fact(d) for d in decisions], rules_for(org), now)


@dataclass
class DecisionDetails:
    kind: str
    meeting_on: date | None = None
    chair: str | None = None
    reason: str | None = None


def _check(user: User, d: DecisionDetails, today: date) -> None:
    if d.kind not in STRATEGY_DECISIONS:
        raise CaseworkError("Select what was decided", "decision")
    if d.kind in STRATEGY_DECISIONS_MANAGER_ONLY and user.role != "manager":
        raise CaseworkError("Only a manager can record that a strategy meeting is not needed",
                            "decision")
    if d.kind == "held":
        if d.meeting_on is None:
            raise CaseworkError("Enter the date the meeting was held", "held_on")
        if d.meeting_on > today:
            raise CaseworkError("The date the meeting was held must be today or in the past",
                                "held_on")
        if not (d.chair or "").strip():
            raise CaseworkError("Enter who chaired the meeting", "chair")
    if d.kind == "booked":
        if d.meeting_on is None:
            raise CaseworkError("Enter the date the meeting is booked for", "booked_for")
        if d.meeting_on < today:
            raise CaseworkError("The date the meeting is booked for must be today or in the "
                                "future. If it has happened, record that it was held", "booked_for")
    if d.kind == "not_needed" and not (d.reason or "").strip():
        raise CaseworkError("Enter why a strategy meeting is not needed", "reason")


def record_decision(s: Session, user: User, child: Child, d: DecisionDetails,
                    now: datetime | None = None) -> StrategyDecision:
    now = now or utcnow()
    _check(user, d, today_in_london(now))
    state = child_state(s, user.organisation, child, now)
    decision = StrategyDecision(
        organisation_id=child.organisation_id, child_id=child.id,
        episode_id=state.episode.id if state.episode else None, prompt=state.prompt,
        kind=d.kind, meeting_on=d.meeting_on if d.kind != "not_needed" else None,
        chair=" ".join((d.chair or "").split()) if d.kind == "held" else None,
        reason=(d.reason or "").strip() if d.kind == "not_needed" else None,
        recorded_at=now, recorded_by=user.id)
    s.add(decision)
    s.flush()
    audit.record(s, "strategy_decision_recorded", user_id=user.id, org_id=user.organisation_id,
                 record_type="child", record_id=child.id, detail=d.kind)
    return decision


def _names(s: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = [i for i in set(ids) if i]
    if not wanted:
        return {}
    return {u.id: u.name or "" for u in s.execute(select(User).where(User.id.in_(wanted)))
            .scalars()}


def history(s: Session, child: Child) -> list[DecisionInfo]:
    """The child's decisions, newest first, as the child page and the police PDF show them."""
    decisions = decisions_by_child(s, [child.id]).get(child.id, [])
    names = _names(s, (d.recorded_by for d in decisions))
    return [DecisionInfo(kind=d.kind, recorded_at=d.recorded_at,
                         recorded_by=names.get(d.recorded_by, ""), meeting_on=d.meeting_on,
                         chair=d.chair or "", reason=d.reason or "", prompt=d.prompt or "")
            for d in reversed(decisions)]


@dataclass
class DueDecision:
    child: Child
    state: DecisionState


def due_decision_states(s: Session, org: Organisation, now: datetime
                        ) -> list[tuple[str, DecisionState]]:
    """(child id, state) of every child whose decision is due or overdue, most overdue first:
    codes and times only, no sealed column read, so counting them costs little."""
    rows = s.execute(select(Episode.id, Episode.child_id, Episode.reported_missing_at,
                            Episode.found_at, Episode.in_care)
                     .where(Episode.organisation_id == org.id,
                            Episode.reported_missing_at >= now - LOOKBACK,
                            Episode.reported_missing_at <= now)).all()
    by_child: dict[str, list[EpisodeFact]] = defaultdict(list)
    for e in rows:
        by_child[e.child_id].append(EpisodeFact(e.id, e.reported_missing_at, e.found_at,
                                                e.in_care))
    decisions = s.execute(select(StrategyDecision.child_id, StrategyDecision.kind,
                                 StrategyDecision.recorded_at, StrategyDecision.meeting_on)
                          .where(StrategyDecision.organisation_id == org.id,
                                 StrategyDecision.recorded_at >= now - LOOKBACK,
                                 StrategyDecision.recorded_at <= now)).all()  # as it stood then
    facts: dict[str, list[DecisionFact]] = defaultdict(list)
    for d in decisions:
        facts[d.child_id].append(DecisionFact(d.kind, d.recorded_at, d.meeting_on))
    rules = rules_for(org)
    # Fewer episodes than the threshold, none from care and no decision: nothing can be due
    # (domain.strategy.triggers), so most children of the year are not looked at again.
    states = {cid: strategy.decision_state(eps, facts.get(cid, []), rules, now)
              for cid, eps in by_child.items()
              if cid in facts or len(eps) >= rules.threshold or any(e.in_care for e in eps)}
    states.update({cid: strategy.decision_state([], facts[cid], rules, now)
                   for cid in facts if cid not in states})
    due = [(cid, st) for cid, st in states.items() if st.needs_decision]
    due.sort(key=lambda r: (r[1].state != "overdue", r[1].due_on or date.max, r[0]))
    return due


def due_decisions(s: Session, org: Organisation, now: datetime, limit: int | None = None,
                  offset: int = 0, states: list[tuple[str, DecisionState]] | None = None
                  ) -> list[DueDecision]:
    """Children whose decision is due or overdue, most overdue first; `limit` of them from
    `offset` (all if None), so only the names shown are decrypted. `states` if already read."""
    if states is None:
        states = due_decision_states(s, org, now)
    wanted = states[offset:None if limit is None else offset + limit]
    if not wanted:
        return []
    children = {c.id: c for c in s.execute(select(Child).where(
        Child.id.in_([cid for cid, _ in wanted]))).scalars()}
    return [DueDecision(children[cid], st) for cid, st in wanted if cid in children]
