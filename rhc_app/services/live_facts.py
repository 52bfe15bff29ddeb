"""The team page's sections worked out from plain columns: the clock and flags of every live
conversation, with no ORM objects and no names decrypted, so the counts cost little however
much work is live. Only the rows a page shows are then built in full (listing.rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Subquery, select
from sqlalchemy.orm import Session

from rhc_app.domain import flags, strategy, uk_time
from rhc_app.services.listing import OPEN_STATUSES, clock_of, live_work, urgency_order
from rhc_app.services.strategy import decision_facts_by_child
from rhc_app.store.models import Conversation, CoveredEpisode, Episode, Organisation

BATCH = 500  # listed episodes per history read: bounded IN lists and a narrow time range


@dataclass(frozen=True)
class Fact:
    """One live conversation, as the sections need it."""

    conversation_id: str
    child_id: str
    status: str
    allocated: bool
    clock: str  # uk_time.ClockState.state
    repeat: bool
    no_consent: bool
    created_at: datetime


def live_facts(s: Session, org: Organisation, now: datetime) -> list[Fact]:
    """Every live conversation (listing.live_work), most urgent first."""
    live = live_work(org, now)
    found = s.execute(
        select(Conversation.id, Conversation.status, Conversation.worker_id,
               Conversation.outcome, Conversation.outcome_at, Conversation.held_at,
               Conversation.consent_to_share, Episode.id.label("episode_id"),
               Episode.child_id, Episode.reported_missing_at, Episode.found_at,
               Episode.created_at)
        .select_from(live).join(Conversation, Conversation.id == live.c.id)
        .join(Episode, Conversation.episode_id == Episode.id)
        .where(Conversation.status.in_(OPEN_STATUSES))
        .order_by(*urgency_order())).all()
    covered = _covered_found_times(s, live)
    repeats = _repeats(s, org, found)
    return [Fact(r.id, r.child_id, r.status, r.worker_id is not None,
                 clock_of(r.held_at, r.outcome, r.outcome_at,
                          [r.found_at, *covered.get(r.id, [])], now).state,
                 r.episode_id in repeats,
                 r.consent_to_share is None and r.status in flags.CONSENT_STATUSES,
                 r.created_at)
            for r in found]


def _covered_found_times(s: Session, live: Subquery) -> dict[str, list[datetime | None]]:
    out: dict[str, list[datetime | None]] = defaultdict(list)
    for conv_id, found_at in s.execute(
            select(CoveredEpisode.covering_conversation_id, Episode.found_at)
            .join(Episode, CoveredEpisode.episode_id == Episode.id)
            .where(CoveredEpisode.covering_conversation_id.in_(select(live.c.id)),
                   CoveredEpisode.detached_at.is_(None))):
        out[conv_id].append(found_at)
    return out


def _repeats(s: Session, org: Organisation, found: list) -> set[str]:  # type: ignore[type-arg]
    """The listed episodes flagged repeat missing: the threshold reached in the window before
    them, and no strategy decision since that covers them. Only the window is read, not the
    children's whole history: the listed episodes in time order, a batch at a time."""
    threshold = int(org.setting("repeat_threshold"))
    window = timedelta(days=int(org.setting("repeat_window_days")))
    listed = sorted(found, key=lambda r: uk_time.as_utc(r.reported_missing_at))
    reached = []
    for i in range(0, len(listed), BATCH):
        batch = listed[i:i + BATCH]
        reported: dict[str, list[datetime]] = defaultdict(list)
        for child_id, at in s.execute(
                select(Episode.child_id, Episode.reported_missing_at)
                .where(Episode.child_id.in_({r.child_id for r in batch}),
                       Episode.reported_missing_at >= batch[0].reported_missing_at - window,
                       Episode.reported_missing_at <= batch[-1].reported_missing_at)):
            reported[child_id].append(uk_time.as_utc(at))
        for r in batch:
            times = sorted(reported[r.child_id])
            at = uk_time.as_utc(r.reported_missing_at)
            if flags.is_repeat(flags.episodes_in_window(times, at, window.days), threshold):
                reached.append(r)
    decided = decision_facts_by_child(s, {r.child_id for r in reached})
    return {r.episode_id for r in reached
            if not strategy.covered(strategy.EpisodeFact(r.episode_id, r.reported_missing_at),
                                    decided.get(r.child_id, []))}
