"""Rows for conversation lists (the worker's day, the manager's dashboard): clock and flags,
computed with a fixed number of queries however long the list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ..domain import clock, flags
from ..models import Child, Conversation, Episode, Organisation, User

OPEN_STATUSES = ("to_offer", "offered", "accepted", "in_progress", "declined",
                 "not_completed", "awaiting_signoff")


@dataclass
class Row:
    conversation: Conversation
    episode: Episode
    child: Child
    clock: clock.ClockState
    flags: list[flags.Flag]
    worker_name: str | None


def rows(s: Session, org: Organisation, where: ColumnElement[bool], now: datetime,
         statuses: tuple[str, ...] = OPEN_STATUSES, limit: int = 500) -> list[Row]:
    found = s.execute(
        select(Conversation, Episode, Child)
        .join(Episode, Conversation.episode_id == Episode.id)
        .join(Child, Episode.child_id == Child.id)
        .where(where, Conversation.status.in_(statuses))
        .order_by(Episode.found_at.is_(None), Episode.found_at)
        .limit(limit)).all()
    child_ids = {c.id for _, _, c in found}
    history: dict[str, list[tuple[Episode, Conversation]]] = defaultdict(list)
    if child_ids:
        for e, c in s.execute(select(Episode, Conversation).join(Conversation)
                              .where(Episode.child_id.in_(child_ids))).all():
            history[e.child_id].append((e, c))
    worker_ids = {c.worker_id for hist in history.values() for _, c in hist if c.worker_id}
    names: dict[str, str] = {}
    if worker_ids:
        names = {u.id: u.name for u in s.execute(select(User).where(User.id.in_(worker_ids)))
                 .scalars()}
    threshold = int(org.setting("repeat_threshold"))
    window = int(org.setting("repeat_window_days"))
    out = []
    for conv, episode, child in found:
        hist = history[child.id]
        reported = [e.reported_missing_at for e, _ in hist]
        count = flags.episodes_in_window(reported, episode.reported_missing_at, window)
        past = [flags.PastConversation(c.worker_id, c.held_at) for e, c in hist
                if c.id != conv.id]
        cont = flags.continuity_worker(past)
        stopped = conv.held_at or (conv.outcome_at if conv.outcome in ("declined",
                                                                        "not_completed") else None)
        state = clock.clock(episode.found_at, now, stopped)
        out.append(Row(conv, episode, child, state, flags.flags_for(
            episode_count_30d=count, repeat=count >= threshold,
            police_risk=episode.police_risk, found_at=episode.found_at,
            consent_to_share=conv.consent_to_share, status=conv.status,
            continuity_name=names.get(cont) if cont else None,
            holder_is_continuity=cont == conv.worker_id), names.get(conv.worker_id or "")))
    out.sort(key=lambda r: (r.conversation.status in ("declined", "not_completed",
                                                      "awaiting_signoff"),
                            clock.urgency_key(r.episode.found_at, now)))
    return out


def summary_of(row: Row) -> dict[str, Any]:
    return {"id": row.conversation.id, "status": row.conversation.status,
            "state": row.clock.state}
