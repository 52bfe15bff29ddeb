"""The team page's sections from plain columns: for every live conversation, its 72-hour
clock, consent, whether the offer was closed and whether it is a repeat, with no name
decrypted. What does not depend on the time is counted in one statement and kept between
requests (_kept); each request works out the clocks and the offer again window from the kept
times. Only the rows a page shows are then built in full (listing.rows)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from rhc_app.domain import flags, uk_time
from rhc_app.services import child_history, kept_figures
from rhc_app.services.listing import (
    OFFER_AGAIN,
    OPEN_STATUSES,
    OUTCOME_STOOD_FOR,
    live_work,
    offer_again_since,
    urgency_order,
)
from rhc_app.store.models import Conversation, CoveredEpisode, Episode, OfferClosure, Organisation, StrategyDecision


class Fact(NamedTuple):
    """One live conversation, as the sections need it (a tuple: thousands are made a page)."""

    conversation_id: str
    child_id: str
    status: str
    allocated: bool
    clock: str  # uk_time.ClockState.state
    repeat: bool
    no_consent: bool
    created_at: datetime | None  # when not allocated: how long it has waited
    closed: bool = False  # declined or not completed, and closed with no further offer


def _found_at() -> ColumnElement[datetime]:
    """The clock's found time, in SQL: the latest found time of the episodes the conversation
    answers (its own, and those it covers: covering.clock_found_at)."""
    covered = aliased(Episode)
    latest_covered = (select(func.max(covered.found_at))
                      .join(CoveredEpisode, CoveredEpisode.episode_id == covered.id)
                      .where(CoveredEpisode.covering_conversation_id == Conversation.id,
                             CoveredEpisode.detached_at.is_(None))
                      .correlate(Conversation).scalar_subquery())
    own = Episode.found_at
    return case((latest_covered.is_(None), own), (own.is_(None), latest_covered),
                (latest_covered > own, latest_covered), else_=own)


def _stopped() -> ColumnElement[bool]:
    """The clock stops when held, or at a declined or not completed outcome (uk_time.clock)."""
    return (Conversation.held_at.is_not(None)
            | (Conversation.outcome.in_(OFFER_AGAIN) & Conversation.outcome_at.is_not(None)))


def live_facts(s: Session, org: Organisation, now: datetime) -> list[Fact]:
    """Every live conversation (listing.live_work), most urgent first. What does not depend
    on the time is kept (_kept); the clock and the offer again window are worked out here."""
    since = offer_again_since(org, now)
    counted_since, kept = _kept(s, org, now)
    if since < counted_since:  # an earlier `now` than the one counted: counted afresh
        kept = _counted(s, org, now)[1]
    # uk_time.clock's rule as two cut-offs (thousands of facts a request): overdue once 72
    # hours have passed since found; due soon once 48 have (test_live_facts_sql holds it).
    at = uk_time.as_utc(now)
    overdue_before, soon_from = at - uk_time.DEADLINE, at - (uk_time.DEADLINE - uk_time.DUE_SOON)
    return [Fact(k.conversation_id, k.child_id, k.status, k.allocated,
                 "no_found_time" if k.found is None else "stopped" if k.stopped
                 else "overdue" if k.found < overdue_before
                 else "due_soon" if k.found <= soon_from else "on_track",
                 k.repeat, k.no_consent, k.created_at, k.closed)
            for k in kept if k.live_from is None or k.live_from >= since]


class _Kept(NamedTuple):
    """A conversation live when counted, without the time: its clock's found time (the latest
    of its own and the episodes it covers), whether the clock stopped, and for a declined or
    not completed one, the time its offer again window runs from (live_work)."""

    conversation_id: str
    child_id: str
    status: str
    allocated: bool
    found: datetime | None
    stopped: bool
    live_from: datetime | None
    repeat: bool
    no_consent: bool
    created_at: datetime | None
    closed: bool


def _kept(s: Session, org: Organisation, now: datetime) -> tuple[datetime, list[_Kept]]:
    """_counted, kept in this process under the organisation's figures version (every write
    to a conversation's status, worker, times, consent or closure, an episode, a covering
    and a setting replaces it) and its strategy decisions (as dashboard.decision_states).
    Time only takes conversations out of live work, never in, so what was counted at an
    earlier `now` holds every conversation live later. Only ids, codes and times are kept."""
    count, latest = s.execute(select(func.count(), func.max(StrategyDecision.recorded_at))
                              .where(StrategyDecision.organisation_id == org.id)).one()
    settings = tuple(org.setting(k) for k in ("offer_again_days", "repeat_threshold",
                                              "repeat_window_days"))
    return kept_figures.kept(s, org, ("live_facts", count, latest, settings),
                             lambda: _counted(s, org, now))


def _counted(s: Session, org: Organisation, now: datetime) -> tuple[datetime, list[_Kept]]:
    """Every conversation live at `now`, most urgent first, and the start of the offer again
    window it was counted with."""
    since = offer_again_since(org, now)
    live = live_work(org, now)
    threshold = int(org.setting("repeat_threshold"))
    closed = and_(Conversation.status.in_(OFFER_AGAIN),
                  exists().where(OfferClosure.conversation_id == Conversation.id))
    # live_work's two offer again ranges as one time: the outcome's, or what stands for it.
    live_from = case((Conversation.status.in_(OFFER_AGAIN),
                      func.coalesce(Conversation.outcome_at, *OUTCOME_STOOD_FOR)))
    window = int(org.setting("repeat_window_days"))
    found = s.execute(
        select(Conversation.id, Conversation.status, Conversation.worker_id.is_not(None),
               _found_at(), _stopped(), live_from, Episode.id, Episode.child_id,
               Conversation.consent_to_share.is_(None)
               & Conversation.status.in_(flags.CONSENT_STATUSES),
               # A time only where it is needed: how long it has waited unallocated.
               case((Conversation.worker_id.is_(None), Episode.created_at)), closed,
               Episode.reported_missing_at, child_history.episodes_in_window(window))
        .select_from(live).join(Conversation, Conversation.id == live.c.id)
        .join(Episode, Conversation.episode_id == Episode.id)
        .where(Conversation.status.in_(OPEN_STATUSES))
        .order_by(*urgency_order())).all()
    repeats = child_history.repeats(s, org, (
        child_history.Counted(r[6], r[7], r[11], r[12]) for r in found
        if flags.is_repeat(r[12], threshold)))
    return since, [
        _Kept(conv_id, child_id, status, bool(allocated), found_at, bool(stopped), started,
              episode_id in repeats, bool(no_consent), created_at, bool(is_closed))
        for (conv_id, status, allocated, found_at, stopped, started, episode_id, child_id,
             no_consent, created_at, is_closed, _, _) in found]
