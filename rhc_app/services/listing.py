"""Rows for conversation lists (the worker's day, the manager's dashboard): clock and flags,
computed with a fixed number of queries however long the list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy import Row as Past
from sqlalchemy.orm import Session, load_only

from rhc_app.domain import covering, flags, strategy, uk_time
from rhc_app.services.strategy import decision_facts_by_child
from rhc_app.store.models import Child, Conversation, CoveredEpisode, Episode, Organisation, User

LIST_COLUMNS = (Conversation.id, Conversation.episode_id, Conversation.worker_id,
                Conversation.status, Conversation.outcome, Conversation.outcome_at,
                Conversation.held_at, Conversation.consent_to_share)

OPEN_STATUSES = ("to_offer", "offered", "accepted", "in_progress", "declined",
                 "not_completed", "awaiting_signoff")


@dataclass
class Row:
    conversation: Conversation
    episode: Episode
    child: Child
    clock: uk_time.ClockState
    flags: list[flags.Flag]
    worker_name: str | None


def rows(s: Session, org: Organisation, where: ColumnElement[bool], now: datetime,
         statuses: tuple[str, ...] = OPEN_STATUSES, limit: int = 500) -> list[Row]:
    # A list shows no notes: never load (or decrypt) the sealed record, a few KB a row.
    found = s.execute(
        select(Conversation, Episode, Child)
        .join(Episode, Conversation.episode_id == Episode.id)
        .join(Child, Episode.child_id == Child.id)
        .where(where, Conversation.status.in_(statuses))
        .options(load_only(*LIST_COLUMNS), load_only(Child.id, Child.name_enc),
                 load_only(Episode.id, Episode.child_id, Episode.reported_missing_at,
                           Episode.found_at, Episode.police_risk, Episode.created_at))
        .order_by(Episode.found_at.is_(None), Episode.found_at)
        .limit(limit)).all()
    child_ids = list({c.id for _, _, c in found})
    history: dict[str, list[Past]] = defaultdict(list)
    for i in range(0, len(child_ids), 1000):  # bounded IN lists
        for past in s.execute(select(Episode.child_id, Episode.reported_missing_at,
                                     Conversation.id, Conversation.worker_id,
                                     Conversation.held_at)
                              .join(Conversation, Conversation.episode_id == Episode.id)
                              .where(Episode.child_id.in_(child_ids[i:i + 1000]))):
            history[past.child_id].append(past)
    worker_ids = {p.worker_id for hist in history.values() for p in hist if p.worker_id}
    names: dict[str, str] = {}
    if worker_ids:
        names = {u.id: u.name for u in s.execute(select(User).where(User.id.in_(worker_ids)))
                 .scalars()}
    threshold = int(org.setting("repeat_threshold"))
    window = int(org.setting("repeat_window_days"))
    # Once per child, not per row: a child missing very often has hundreds of episodes.
    reported_by_child = {cid: sorted(p.reported_missing_at for p in hist)
                         for cid, hist in history.items()}
    latest_held = {cid: sorted((p for p in hist if p.worker_id and p.held_at),
                               key=lambda p: p.held_at, reverse=True)[:2]
                   for cid, hist in history.items()}
    # A strategy meeting decision recorded since an episode reached the threshold clears its flag.
    decided = decision_facts_by_child(s, child_ids)
    covered = _covered_found_times(s, [conv.id for conv, _, _ in found])
    out = []
    for conv, episode, child in found:
        reported = reported_by_child.get(child.id, [])
        at = episode.reported_missing_at
        count = flags.episodes_in_window(reported, at, window)
        repeat = flags.is_repeat(count, threshold) and not strategy.covered(
            strategy.EpisodeFact(episode.id, at), decided.get(child.id, []))
        # The worker the child last spoke to in another conversation (continuity).
        cont = flags.continuity_worker([flags.PastConversation(p.worker_id, p.held_at)
                                        for p in latest_held.get(child.id, []) if p.id != conv.id])
        state = _clock(conv, episode, covered.get(conv.id, []), now)
        out.append(Row(conv, episode, child, state, flags.flags_for(
            episode_count_30d=count, repeat=repeat, window_days=window,
            police_risk=episode.police_risk, found_at=episode.found_at,
            consent_to_share=conv.consent_to_share, status=conv.status,
            continuity_name=names.get(cont) if cont else None,
            holder_is_continuity=cont == conv.worker_id), names.get(conv.worker_id or "")))
    out.sort(key=lambda r: (r.conversation.status in ("declined", "not_completed",
                                                      "awaiting_signoff"),
                            uk_time.urgency_key(r.episode.found_at, now)))
    return out


def _covered_found_times(s: Session, conversation_ids: list[str]
                         ) -> dict[str, list[datetime | None]]:
    """For each listed conversation covering other episodes, their found times."""
    out: dict[str, list[datetime | None]] = defaultdict(list)
    for i in range(0, len(conversation_ids), 1000):  # bounded IN lists
        for conv_id, found_at in s.execute(
                select(CoveredEpisode.covering_conversation_id, Episode.found_at)
                .join(Episode, CoveredEpisode.episode_id == Episode.id)
                .where(CoveredEpisode.covering_conversation_id.in_(conversation_ids[i:i + 1000]),
                       CoveredEpisode.detached_at.is_(None))):
            out[conv_id].append(found_at)
    return out


def _clock(conv: Conversation, episode: Episode, covered: list[datetime | None],
           now: datetime) -> uk_time.ClockState:
    stopped = conv.held_at or (conv.outcome_at if conv.outcome in ("declined",
                                                                    "not_completed") else None)
    # A conversation covering other episodes answers the latest of them (issue 17).
    return uk_time.clock(covering.clock_found_at([episode.found_at, *covered]), now, stopped)
