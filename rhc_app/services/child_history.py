"""What the lists need from a child's history without reading it all: how many episodes the
child had in the repeat window before a listed one (a range of ix_episode_child_reported per
listed episode), whether that flags it, and the child's latest held conversations
(continuity). Shared by listing (the rows shown) and live_facts (the team page's sections)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from rhc_app.domain import flags, strategy
from rhc_app.services.strategy import decision_facts_by_child
from rhc_app.store.models import Conversation, Episode, Organisation
from rhc_app.store.sql_time import minus_days


def episodes_in_window(window_days: int) -> ColumnElement[int]:
    """For the Episode of the enclosing query: the child's episodes reported in the
    `window_days` up to and including it (itself counted). flags.episodes_in_window, in SQL."""
    before = aliased(Episode)
    return (select(func.count()).select_from(before)
            .where(before.child_id == Episode.child_id,
                   before.reported_missing_at >= minus_days(Episode.reported_missing_at,
                                                            window_days),
                   before.reported_missing_at <= Episode.reported_missing_at)
            .correlate(Episode).scalar_subquery())


def window_counts(s: Session, org: Organisation, episode_ids: Iterable[str]) -> dict[str, int]:
    """episodes_in_window for each of these episodes, by id."""
    window = int(org.setting("repeat_window_days"))
    ids = list(set(episode_ids))
    out: dict[str, int] = {}
    for i in range(0, len(ids), 1000):  # bounded IN lists
        out.update(s.execute(select(Episode.id, episodes_in_window(window))
                             .where(Episode.id.in_(ids[i:i + 1000]))).all())
    return out


@dataclass(frozen=True)
class Counted:
    """A listed episode and its count in the window (episodes_in_window)."""

    episode_id: str
    child_id: str
    reported_at: datetime
    count: int


def repeats(s: Session, org: Organisation, counted: Iterable[Counted]) -> set[str]:
    """The episodes flagged repeat missing: the organisation's threshold reached in the
    window, and no strategy meeting decision since that covers them."""
    threshold = int(org.setting("repeat_threshold"))
    reached = [c for c in counted if flags.is_repeat(c.count, threshold)]
    decided = decision_facts_by_child(s, {c.child_id for c in reached})
    return {c.episode_id for c in reached
            if not strategy.covered(strategy.EpisodeFact(c.episode_id, c.reported_at),
                                    decided.get(c.child_id, []))}


@dataclass(frozen=True)
class Held:
    conversation_id: str
    worker_id: str
    held_at: datetime


def latest_held(s: Session, child_ids: Sequence[str], n: int = 2) -> dict[str, list[Held]]:
    """Each child's `n` latest held conversations (with a worker), latest first: enough to
    name who the child last spoke to in a conversation other than the one listed."""
    out: dict[str, list[Held]] = defaultdict(list)
    for i in range(0, len(child_ids), 1000):  # bounded IN lists
        ranked = (select(Episode.child_id, Conversation.id, Conversation.worker_id,
                         Conversation.held_at,
                         func.row_number().over(partition_by=Episode.child_id,
                                                order_by=(Conversation.held_at.desc(),
                                                          Conversation.id)).label("rank"))
                  .join(Conversation, Conversation.episode_id == Episode.id)
                  .where(Episode.child_id.in_(child_ids[i:i + 1000]),
                         Conversation.worker_id.is_not(None),
                         Conversation.held_at.is_not(None))).subquery()
        for child_id, conv_id, worker_id, held_at, _ in s.execute(
                select(ranked).where(ranked.c.rank <= n).order_by(ranked.c.child_id,
                                                                   ranked.c.rank)):
            out[child_id].append(Held(conv_id, worker_id, held_at))
    return out
