"""The people and places index: built from a conversation's canvas every time it is saved,
one row per thing that identifies a person or a place, as a keyed hash. The connections found
in it are services/connections.py's.

Plain functions over a database session; no Flask. Committing is the caller's (one
transaction with the save that changed the canvas)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain.identifiers import entry_tokens
from rhc_app.services.canvas import normalise_canvas
from rhc_app.store.models import Conversation, Episode, LinkToken

ENTRY_KINDS = {"person": "people", "place": "places"}


def token_of(ring: KeyRing, token_kind: str, value: str) -> str:
    """The keyed hash of one folded value: the same seam as the case-reference look-up."""
    return ring.index(f"link_{token_kind}", value)


_ROW = ("entry_kind", "entry_index", "token_kind", "token", "do_not_share", "mentioned_at")


def reindex(s: Session, conv: Conversation, before: dict[str, Any] | None = None) -> int:
    """Make this conversation's rows those of its canvas as it is now.

    ``before`` is the canvas this save replaced: when its people and places are the same (most
    autosaves change only notes), nothing is folded or hashed again: the rows stay and only
    their date moves, as a rebuild would write it. No rows at all for entries that have some
    is a stale index, built again. Otherwise the rows are worked out and written only when
    they differ from those kept."""
    if not conv.record_enc:
        s.execute(delete(LinkToken).where(LinkToken.conversation_id == conv.id))
        return 0
    canvas = normalise_canvas(conv.canvas)
    if before is not None and _same_entries(normalise_canvas(before), canvas):
        moved = s.execute(update(LinkToken).where(LinkToken.conversation_id == conv.id)
                          .values(mentioned_at=conv.held_at or conv.updated_at)
                          .execution_options(synchronize_session=False)).rowcount
        if moved or not any(canvas[key] for key in ENTRY_KINDS.values()):
            return moved
    episode = s.get(Episode, conv.episode_id)  # the save has it already: no query
    assert episode is not None
    rows = row_values(s.info["keyring"], conv, episode.child_id)
    have = s.execute(select(*(getattr(LinkToken, c) for c in _ROW))
                     .where(LinkToken.conversation_id == conv.id)).all()
    if sorted(tuple(r) for r in have) == sorted(tuple(r[c] for c in _ROW) for r in rows):
        return len(rows)
    s.execute(delete(LinkToken).where(LinkToken.conversation_id == conv.id))
    if rows:
        s.execute(insert(LinkToken), rows)
    return len(rows)


def _same_entries(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return all(before[key] == after[key] for key in ENTRY_KINDS.values())


def row_values(ring: KeyRing, conv: Conversation, child_id: str) -> list[dict[str, Any]]:
    """The index rows of one conversation's canvas, as column values."""
    canvas = normalise_canvas(conv.canvas)
    common = {"organisation_id": conv.organisation_id, "conversation_id": conv.id,
              "child_id": child_id, "mentioned_at": conv.held_at or conv.updated_at}
    rows = []
    for entry_kind, key in ENTRY_KINDS.items():
        for index, entry in enumerate(canvas[key]):
            if not isinstance(entry, dict):
                continue
            hidden = bool(entry.get("do_not_share"))
            rows += [{**common, "entry_kind": entry_kind, "entry_index": index,
                      "token_kind": kind, "token": token_of(ring, kind, value),
                      "do_not_share": hidden}
                     for kind, value in entry_tokens(entry_kind, entry)]
    return rows


def index_rows(ring: KeyRing, conv: Conversation, child_id: str) -> list[LinkToken]:
    """The same rows as models (the benchmark's seed adds these with its conversations)."""
    return [LinkToken(**values) for values in row_values(ring, conv, child_id)]


def rebuild(s: Session, organisation_id: str | None = None, batch: int = 500
            ) -> tuple[int, int]:
    """The whole index again (after a change to how values are folded): conversations and
    rows written. One organisation, or all.

    Batched, and what each batch read and wrote is let go once flushed: holding every
    conversation of the instance (or deleting row by row, which checks every object held)
    makes the rebuild of a large instance take hours rather than minutes."""
    wipe = delete(LinkToken)
    chosen = select(Conversation.id).where(Conversation.record_enc.is_not(None))
    if organisation_id is not None:
        wipe = wipe.where(LinkToken.organisation_id == organisation_id)
        chosen = chosen.where(Conversation.organisation_id == organisation_id)
    s.execute(wipe)
    ids = s.execute(chosen.order_by(Conversation.id)).scalars().all()
    ring: KeyRing = s.info["keyring"]
    rows = 0
    held = {o.id for o in s.identity_map.values() if isinstance(o, Conversation)}
    for start in range(0, len(ids), batch):
        found = s.execute(select(Conversation, Episode.child_id)
                          .join(Episode, Episode.id == Conversation.episode_id)
                          .where(Conversation.id.in_(ids[start:start + batch]))).all()
        made = [row for conv, child_id in found for row in row_values(ring, conv, child_id)]
        if made:
            s.execute(insert(LinkToken), made)
        rows += len(made)
        for conv in (conv for conv, _ in found if conv.id not in held):
            s.expunge(conv)  # the caller's own objects stay theirs
    return len(ids), rows
