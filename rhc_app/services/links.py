"""The people and places index: built from a conversation's canvas every time it is saved,
one row per thing that identifies a person or a place, as a keyed hash. The connections found
in it are services/connections.py's.

Plain functions over a database session; no Flask. Committing is the caller's (one
transaction with the save that changed the canvas)."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import bindparam, case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain.identifiers import entry_tokens
from rhc_app.services.canvas import normalise_canvas
from rhc_app.store import links_version
from rhc_app.store.db import UTCDateTime
from rhc_app.store.models import Conversation, Episode, LinkToken, Organisation

ENTRY_KINDS = {"person": "people", "place": "places"}


def token_of(ring: KeyRing, token_kind: str, value: str) -> str:
    """The keyed hash of one folded value: the same seam as the case-reference look-up."""
    return ring.index(f"link_{token_kind}", value)


_ROW = ("entry_kind", "entry_index", "token_kind", "token", "do_not_share", "mentioned_at")


# Built once: an autosave runs these on every save, and building them costs more than the
# database's answer. The rows of a conversation, and how many are dated otherwise than `when`.
_COUNTED = select(func.count(), func.count(case(
    (LinkToken.mentioned_at != bindparam("when", type_=UTCDateTime()), 1)))).where(
    LinkToken.conversation_id == bindparam("cid"))
_ROWS = select(*(LinkToken.__table__.c[c] for c in _ROW)).where(
    LinkToken.conversation_id == bindparam("cid"))
_MOVED = (update(LinkToken.__table__).where(LinkToken.conversation_id == bindparam("cid"))
          .values(mentioned_at=bindparam("when", type_=UTCDateTime())))


def reindex(s: Session, conv: Conversation, before: dict[str, Any] | None = None,
            canvas: dict[str, Any] | None = None) -> int:
    """Make this conversation's rows those of its canvas as it is now; the rows it has.

    ``before`` is the canvas this save replaced, ``canvas`` the one it sealed (not opened
    again when given). When their people and places are the same (most autosaves change only
    notes), nothing is folded or hashed again and nothing is written unless a mention's date
    moved (a conversation not yet held is dated by its last save). No rows at all for entries
    that have some is a stale index, built again. Otherwise the rows are worked out and
    written only when they differ from those kept. Every write marks the organisation's index
    version, replaced as the transaction commits."""
    org = [conv.organisation_id]
    if not conv.record_enc:
        if s.execute(delete(LinkToken).where(LinkToken.conversation_id == conv.id)).rowcount:
            links_version.mark(s, org)
        return 0
    canvas = normalise_canvas(canvas if canvas is not None else conv.canvas)
    when = conv.held_at or conv.updated_at
    if before is not None and _same_entries(normalise_canvas(before), canvas):
        conn = s.connection()  # Core on the session's transaction: index rows are never ORM
        have, moved = conn.execute(_COUNTED, {"cid": conv.id, "when": when}).one()
        if moved:
            conn.execute(_MOVED, {"cid": conv.id, "when": when})
            links_version.mark(s, org)
        if have or not any(canvas[key] for key in ENTRY_KINDS.values()):
            return int(have)
    episode = s.get(Episode, conv.episode_id)  # the save has it already: no query
    assert episode is not None
    rows = row_values(s.info["keyring"], conv, episode.child_id, canvas)
    conn = s.connection()
    have = conn.execute(_ROWS, {"cid": conv.id}).all()
    if sorted(tuple(r)[:-1] for r in have) == sorted(tuple(r[c] for c in _ROW[:-1])
                                                        for r in rows):
        if any(r.mentioned_at != when for r in have):  # the same rows, dated again
            conn.execute(_MOVED, {"cid": conv.id, "when": when})
            links_version.mark(s, org)
        return len(rows)
    conn.execute(delete(LinkToken.__table__).where(LinkToken.conversation_id == conv.id))
    if rows:
        conn.execute(insert(LinkToken.__table__), rows)
    links_version.mark(s, org)
    return len(rows)


def _same_entries(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return all(before[key] == after[key] for key in ENTRY_KINDS.values())


MEMO_SIZE = 4096  # people and places a process remembers the tokens of (a few MB)
_memo: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
_memo_lock = threading.Lock()


def _tokens(ring: KeyRing, entry_kind: str, entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The (kind, token) pairs of one person or place, remembered per process under a keyed
    digest of its exact words (never the words themselves): a save that leaves an entry as
    it was does not fold and hash it again."""
    key = ring.digest("link_entry", entry_kind + "\x00" + json.dumps(
        entry, ensure_ascii=False, sort_keys=True))
    with _memo_lock:
        found = _memo.get(key)
        if found is not None:
            _memo.move_to_end(key)
            return found
    found = _fresh_tokens(ring, entry_kind, entry)
    with _memo_lock:
        _memo[key] = found
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return found


def _fresh_tokens(ring: KeyRing, entry_kind: str, entry: dict[str, Any]
                  ) -> list[tuple[str, str]]:
    return [(kind, token_of(ring, kind, value)) for kind, value in entry_tokens(entry_kind, entry)]


def forget() -> None:
    """Drop the remembered tokens (tests that change how values are folded)."""
    with _memo_lock:
        _memo.clear()


def row_values(ring: KeyRing, conv: Conversation, child_id: str,
               canvas: dict[str, Any] | None = None, *, remember: bool = True
               ) -> list[dict[str, Any]]:
    """The index rows of one conversation's canvas, as column values. A rebuild does not
    `remember`: it runs after a change to how values are folded, over every entry once."""
    canvas = canvas if canvas is not None else normalise_canvas(conv.canvas)
    common = {"organisation_id": conv.organisation_id, "conversation_id": conv.id,
              "child_id": child_id, "mentioned_at": conv.held_at or conv.updated_at}
    rows = []
    for entry_kind, key in ENTRY_KINDS.items():
        for index, entry in enumerate(canvas[key]):
            if not isinstance(entry, dict):
                continue
            hidden = bool(entry.get("do_not_share"))
            tokens = (_tokens if remember else _fresh_tokens)(ring, entry_kind, entry)
            rows += [{**common, "entry_kind": entry_kind, "entry_index": index,
                      "token_kind": kind, "token": token, "do_not_share": hidden}
                     for kind, token in tokens]
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
    links_version.mark(s, [organisation_id] if organisation_id is not None else
                       s.execute(select(Organisation.id)).scalars())
    ids = s.execute(chosen.order_by(Conversation.id)).scalars().all()
    ring: KeyRing = s.info["keyring"]
    rows = 0
    held = {o.id for o in s.identity_map.values() if isinstance(o, Conversation)}
    for start in range(0, len(ids), batch):
        found = s.execute(select(Conversation, Episode.child_id)
                          .join(Episode, Episode.id == Conversation.episode_id)
                          .where(Conversation.id.in_(ids[start:start + batch]))).all()
        made = [row for conv, child_id in found
                for row in row_values(ring, conv, child_id, remember=False)]
        if made:
            s.execute(insert(LinkToken), made)
        rows += len(made)
        for conv in (conv for conv, _ in found if conv.id not in held):
            s.expunge(conv)  # the caller's own objects stay theirs
    return len(ids), rows
