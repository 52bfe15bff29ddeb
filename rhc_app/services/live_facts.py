"""The team page's sections worked out from plain columns: the clock and flags of every live
conversation, with no ORM objects and no names decrypted, so the counts cost little however
much work is live. Only the rows a page shows are then built in full (listing.rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Subquery, select
from sqlalchemy.orm import Session

from rhc_app.domain import flags
from rhc_app.services import child_history
from rhc_app.services.listing import OPEN_STATUSES, clock_of, live_work, urgency_order
from rhc_app.store.models import Conversation, CoveredEpisode, Episode, Organisation


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
               Episode.created_at,
               child_history.episodes_in_window(int(org.setting("repeat_window_days")))
               .label("in_window"))
        .select_from(live).join(Conversation, Conversation.id == live.c.id)
        .join(Episode, Conversation.episode_id == Episode.id)
        .where(Conversation.status.in_(OPEN_STATUSES))
        .order_by(*urgency_order())).all()
    covered = _covered_found_times(s, live)
    repeats = child_history.repeats(s, org, (
        child_history.Counted(r.episode_id, r.child_id, r.reported_missing_at, r.in_window)
        for r in found))
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
