"""The team page's sections worked out in the database: for every live conversation, its
72-hour clock, consent and whether the offer was closed, as plain codes (comparisons of
stored times with bound times from `now`), so no times are read back and no names decrypted;
the repeat window's counts are kept between requests (_window_counts). Only the rows a page
shows are then built in full (listing.rows)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from rhc_app.domain import flags, uk_time
from rhc_app.services import child_history, kept_figures
from rhc_app.services.listing import OFFER_AGAIN, OPEN_STATUSES, live_work, urgency_order
from rhc_app.store.models import Conversation, CoveredEpisode, Episode, OfferClosure, Organisation


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


def clock_state(now: datetime) -> ColumnElement[str]:
    """listing.clock_of's state, in SQL: the clock runs from the latest found time of the
    episodes the conversation answers (its own, and those it covers: covering.clock_found_at)
    and stops when held, or at a declined or not completed outcome (uk_time.clock)."""
    covered = aliased(Episode)
    latest_covered = (select(func.max(covered.found_at))
                      .join(CoveredEpisode, CoveredEpisode.episode_id == covered.id)
                      .where(CoveredEpisode.covering_conversation_id == Conversation.id,
                             CoveredEpisode.detached_at.is_(None))
                      .correlate(Conversation).scalar_subquery())
    own = Episode.found_at
    found = case((latest_covered.is_(None), own), (own.is_(None), latest_covered),
                 (latest_covered > own, latest_covered), else_=own)
    stopped = (Conversation.held_at.is_not(None)
               | (Conversation.outcome.in_(OFFER_AGAIN) & Conversation.outcome_at.is_not(None)))
    at = uk_time.as_utc(now)
    return case((found.is_(None), "no_found_time"), (stopped, "stopped"),
                # due (found + 72 h) before now; within DUE_SOON of now, inclusive
                (found < at - uk_time.DEADLINE, "overdue"),
                (found <= at - (uk_time.DEADLINE - uk_time.DUE_SOON), "due_soon"),
                else_="on_track")


def live_facts(s: Session, org: Organisation, now: datetime) -> list[Fact]:
    """Every live conversation (listing.live_work), most urgent first."""
    live = live_work(org, now)
    threshold = int(org.setting("repeat_threshold"))
    closed = and_(Conversation.status.in_(OFFER_AGAIN),
                  exists().where(OfferClosure.conversation_id == Conversation.id))
    found = s.execute(
        select(Conversation.id, Conversation.status, Conversation.worker_id.is_not(None),
               clock_state(now), Episode.id, Episode.child_id,
               Conversation.consent_to_share.is_(None)
               & Conversation.status.in_(flags.CONSENT_STATUSES),
               # A time only where it is needed: how long it has waited unallocated.
               case((Conversation.worker_id.is_(None), Episode.created_at)), closed)
        .select_from(live).join(Conversation, Conversation.id == live.c.id)
        .join(Episode, Conversation.episode_id == Episode.id)
        .where(Conversation.status.in_(OPEN_STATUSES))
        .order_by(*urgency_order())).all()
    windows = _window_counts(s, org, now, {r[4] for r in found})
    repeats = child_history.repeats(s, org, (
        child_history.Counted(r[4], r[5], *windows[r[4]]) for r in found
        if flags.is_repeat(windows[r[4]][1], threshold)))
    return [Fact(conv_id, child_id, status, bool(allocated), clock, episode_id in repeats,
                 bool(no_consent), created_at, bool(is_closed))
            for (conv_id, status, allocated, clock, episode_id, child_id, no_consent,
                 created_at, is_closed) in found]


def _window_counts(s: Session, org: Organisation, now: datetime, wanted: set[str]
                   ) -> dict[str, tuple[datetime, int]]:
    """Each live episode's reported time and child_history.episodes_in_window, by id. They
    read only episodes (which child, when reported) and the window setting, so they are kept
    in this process under the organisation's figures version (kept_figures.kept), which
    every such write replaces; time only takes episodes out of live work, never in. Only ids,
    times and counts are kept."""
    window = int(org.setting("repeat_window_days"))

    def count() -> dict[str, tuple[datetime, int]]:
        live = live_work(org, now)
        return {episode_id: (at, n) for episode_id, at, n in s.execute(
            select(Episode.id, Episode.reported_missing_at,
                   child_history.episodes_in_window(window))
            .select_from(live).join(Conversation, Conversation.id == live.c.id)
            .join(Episode, Conversation.episode_id == Episode.id))}

    counts = kept_figures.kept(s, org, ("live_window_counts", window), count)
    return counts if wanted <= counts.keys() else count()  # never stale: counted afresh
