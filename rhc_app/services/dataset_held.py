"""What an import already holds for a batch's episodes, read as plain columns, and whether a
row would change it. A file imported again is mostly the same rows, and building a model
object for every episode and conversation only to find nothing to set was most of a
re-import's time. A row this cannot clear (it changes something, it gives a late reason or
holder, which the sealed record keeps too, or its episode has no conversation) is written
through the models as before (:func:`models_for`), with the same comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from rhc_app.domain import lifecycle
from rhc_app.domain.dataset import DatasetRow
from rhc_app.services.dataset_rows import conversation_fields, episode_fields
from rhc_app.store.models import Conversation, Episode

_EPISODE = (Episode.id, Episode.episode_ref_index, Episode.child_id,
            Episode.reported_missing_at, Episode.found_at, Episode.police_risk,
            Episode.in_care, Episode.missing_from)
_CONVERSATION = (Conversation.episode_id, Conversation.status, Conversation.completed_at,
                 Conversation.offered_at, Conversation.outcome, Conversation.held_at,
                 Conversation.risk_factors)

# A changed row's models: what it is compared with (and, for a conversation, what the
# covering copy and the figures' listener read). A column left out would still be read
# when used, a row at a time, so the record is loaded when a row gives its late reason or
# holder.
_EPISODE_READ = load_only(Episode.organisation_id, Episode.child_id, Episode.episode_ref_index,
                          Episode.reported_missing_at, Episode.found_at, Episode.police_risk,
                          Episode.in_care, Episode.missing_from)
_CONVERSATION_COLUMNS = (
    Conversation.organisation_id, Conversation.episode_id, Conversation.status,
    Conversation.offered_at, Conversation.outcome, Conversation.outcome_at,
    Conversation.held_at, Conversation.risk_factors, Conversation.completed_at,
    Conversation.late_reason, Conversation.holder_role, Conversation.holder_independent)
_CONVERSATION_READ = {False: load_only(*_CONVERSATION_COLUMNS),
                      True: load_only(*_CONVERSATION_COLUMNS, Conversation.record_enc)}


@dataclass(frozen=True)
class Held:
    """An episode already held, and its conversation (None: it has none yet)."""

    episode: Any
    conversation: Any


def held(s: Session, org_id: str, episode_keys: Iterable[str]) -> dict[str, Held]:
    """The organisation's episodes with these keyed hashes, by hash."""
    episodes = s.execute(select(*_EPISODE).where(
        Episode.organisation_id == org_id, Episode.episode_ref_index.in_(episode_keys))).all()
    if not episodes:
        return {}
    # By episode alone: those are the organisation's, each with at most one conversation.
    # With the organisation's id as well, SQLite read every conversation of the
    # organisation (its (organisation, status) index) for every batch.
    convs = {c.episode_id: c for c in s.execute(select(*_CONVERSATION).where(
        Conversation.episode_id.in_([e.id for e in episodes])))}
    return {e.episode_ref_index: Held(e, convs.get(e.id)) for e in episodes}


def reads_record(row: DatasetRow) -> bool:
    """Whether the row sets what the record holds too (import_fields opens it then)."""
    return bool(row.late_reason or row.holder_role or row.held_by_independent is not None)


def unchanged(row: DatasetRow, child_id: str, found: Held) -> bool:
    """True if writing the row through the models would set nothing (dataset_import._update
    compares the same values the same way)."""
    episode, conv = found.episode, found.conversation
    if conv is None or reads_record(row) or episode.child_id != child_id:
        return False
    if any(getattr(episode, k) != v for k, v in episode_fields(row).items()):
        return False
    if lifecycle.app_holds(conv.status, conv.completed_at is not None):
        return True  # the app's record: the row sets nothing of it
    return all(getattr(conv, k) == v for k, v in conversation_fields(row).items())


def models_for(s: Session, rows: list[tuple[DatasetRow, str, Held]]
               ) -> tuple[dict[str, Episode], dict[str, Conversation]]:
    """The episodes (by id) and conversations (by episode id) of the rows that change them."""
    ids = [found.episode.id for _row, _child, found in rows]
    episodes = {e.id: e for e in s.execute(select(Episode).options(_EPISODE_READ).where(
        Episode.id.in_(ids))).scalars()}
    record = any(reads_record(row) for row, _child, _found in rows)
    convs = {c.episode_id: c for c in s.execute(select(Conversation).options(
        _CONVERSATION_READ[record]).where(Conversation.episode_id.in_(ids))).scalars()}
    return episodes, convs
