"""The people and places index: built from a conversation's canvas every time it is saved,
and the connections found in it (people and places named in two or more children's
conversations), found by equality on keyed hashes, with nothing opened.

Plain functions over a database session; no Flask. Committing is the caller's (one
transaction with the save that changed the canvas)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain.identifiers import TOKEN_KINDS, entry_tokens
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


# -- connections ----------------------------------------------------------------------------
@dataclass
class Mention:
    conversation_id: str
    child_id: str
    entry_kind: str
    entry_index: int
    mentioned_at: datetime
    do_not_share: bool


@dataclass
class Connection:
    """One person or place, as far as the index can tell: the mentions sharing a token, and
    every way they matched (a phone number and a nickname, say)."""

    token_kind: str
    token: str
    how: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def children(self) -> int:
        return len({m.child_id for m in self.mentions})

    @property
    def entry_kinds(self) -> list[str]:
        return [k for k in ENTRY_KINDS if any(m.entry_kind == k for m in self.mentions)]

    @property
    def first(self) -> datetime:
        return min(m.mentioned_at for m in self.mentions)

    @property
    def last(self) -> datetime:
        return max(m.mentioned_at for m in self.mentions)


def _in_period(organisation_id: str, start: datetime, end: datetime) -> Any:
    return ((LinkToken.organisation_id == organisation_id) & (LinkToken.mentioned_at >= start)
            & (LinkToken.mentioned_at < end))


def connections(s: Session, organisation_id: str, start: datetime, end: datetime
                ) -> list[Connection]:
    """Tokens in the conversations of two or more children within [start, end), ranked by the
    number of children. Tokens naming exactly the same mentions are one connection."""
    return connection_page(s, organisation_id, start, end)[1]


def connection_page(s: Session, organisation_id: str, start: datetime, end: datetime,
                    first: int = 0, size: int | None = None) -> tuple[int, list[Connection]]:
    """How many connections the period has, and `size` of them (all when None) from the
    `first`: the database ranks and merges the tokens, and only the mentions of the
    connections shown are read."""
    where = _in_period(organisation_id, start, end)
    children = func.count(func.distinct(LinkToken.child_id))
    ranked = (select(LinkToken.token, LinkToken.token_kind, children.label("children"),
                     func.count().label("mentions"), func.max(LinkToken.mentioned_at)
                     .label("last"), func.min(LinkToken.conversation_id),
                     func.max(LinkToken.conversation_id)).where(where).group_by(LinkToken.token, LinkToken.token_kind)
              .having(children >= 2))
    order = s.execute(ranked.order_by(children.desc(), func.count().desc(),
                                      func.max(LinkToken.mentioned_at).desc(),
                                      LinkToken.token)).all()
    merged = _merged(s, where, order)
    kept = [row for row in order if row.token not in merged]
    shown = kept[first:] if size is None else kept[first:first + size]
    how = {row.token: [row.token_kind] for row in shown}
    kinds = {row.token: row.token_kind for row in order}
    for token in (token for token, into in merged.items() if into in how):
        how[merged[token]].append(kinds[token])
    mentions: dict[str, list[Mention]] = {row.token: [] for row in shown}
    for row in _mentions(s, where, list(mentions)):
        mentions[row.token].append(Mention(row.conversation_id, row.child_id, row.entry_kind,
                                           row.entry_index, row.mentioned_at, row.do_not_share))
    return len(kept), [Connection(row.token_kind, row.token,
                                  sorted(how[row.token], key=TOKEN_KINDS.index),
                                  mentions[row.token]) for row in shown]


def _merged(s: Session, where: Any, order: list[Any]) -> dict[str, str]:
    """Each token naming exactly the same mentions as a lower token: the lowest such token.
    Only tokens alike in every count (children, mentions, latest, first and last
    conversation) can name the same mentions: only theirs are read, and compared."""
    alike: dict[tuple[Any, ...], list[str]] = {}
    for row in order:
        alike.setdefault(tuple(row[2:]), []).append(row.token)
    candidates = [token for tokens in alike.values() if len(tokens) > 1 for token in tokens]
    keys: dict[str, set[tuple[str, str, int]]] = {token: set() for token in candidates}
    for part in range(0, len(candidates), 500):  # bound the parameters of one statement
        for row in s.execute(select(LinkToken.token, LinkToken.conversation_id,
                                    LinkToken.entry_kind, LinkToken.entry_index)
                             .where(where, LinkToken.token.in_(candidates[part:part + 500]))):
            keys[row[0]].add(tuple(row[1:]))
    out: dict[str, str] = {}
    for tokens in alike.values():
        seen: dict[frozenset[tuple[str, str, int]], str] = {}
        for token in sorted(tokens) if len(tokens) > 1 else ():
            if (into := seen.setdefault(frozenset(keys[token]), token)) != token:
                out[token] = into
    return out


def _mentions(s: Session, where: Any, tokens: list[str]) -> Iterable[Any]:
    for part in range(0, len(tokens), 500):  # bound the parameters of one statement
        yield from s.execute(select(*_MENTION).where(
            where, LinkToken.token.in_(tokens[part:part + 500]))
            .order_by(LinkToken.token, LinkToken.mentioned_at))


# The columns a mention needs, read as plain rows (no model objects: a period has many).
_MENTION = (LinkToken.token, LinkToken.token_kind, LinkToken.conversation_id, LinkToken.child_id,
            LinkToken.entry_kind, LinkToken.entry_index, LinkToken.mentioned_at,
            LinkToken.do_not_share)


def _ranked(found: Iterable[Any]) -> list[Connection]:
    by_token: dict[str, Connection] = {}
    for row in found:
        conn = by_token.setdefault(row.token, Connection(row.token_kind, row.token,
                                                         [row.token_kind]))
        conn.mentions.append(Mention(row.conversation_id, row.child_id, row.entry_kind,
                                     row.entry_index, row.mentioned_at, row.do_not_share))
    merged: dict[tuple[tuple[str, str, int], ...], Connection] = {}
    for conn in by_token.values():
        if conn.children < 2:
            continue
        key = tuple(sorted({(m.conversation_id, m.entry_kind, m.entry_index)
                            for m in conn.mentions}))
        if key in merged:
            merged[key].how.append(conn.token_kind)
        else:
            merged[key] = conn
    out = list(merged.values())
    for conn in out:
        conn.how.sort(key=TOKEN_KINDS.index)
    out.sort(key=lambda c: (-c.children, -len(c.mentions), -c.last.timestamp()))
    return out


def connection(s: Session, organisation_id: str, token: str, start: datetime, end: datetime
               ) -> Connection | None:
    """One connection by its token, or None when it links fewer than two children there.
    Only the tokens of its own conversations are read (any token merged with it is among
    them), not the whole period's."""
    where = _in_period(organisation_id, start, end)
    mentions = s.execute(select(func.count()).where(where, LinkToken.token == token)
                         ).scalar_one()
    convs = select(LinkToken.conversation_id).where(where, LinkToken.token == token)
    # A token merged with this one names the same mentions, so as many (one row a mention).
    alike = (select(LinkToken.token).where(where, LinkToken.token.in_(
        select(LinkToken.token).where(where, LinkToken.conversation_id.in_(convs))))
        .group_by(LinkToken.token).having(func.count() == mentions))
    found = s.execute(select(*_MENTION).where(where, LinkToken.token.in_(alike))
                      .order_by(LinkToken.token, LinkToken.mentioned_at))
    return next((c for c in _ranked(found) if c.token == token), None)


@dataclass
class Shown:
    """One matched entry as the connection page shows it: only its name and description (a
    person) or name and area (a place) are opened, nothing else of the record."""

    mention: Mention
    name: str
    detail: str


def open_mentions(s: Session, conn: Connection) -> list[Shown]:
    out = []
    for m in conn.mentions:
        conv = s.get(Conversation, m.conversation_id)
        entries = normalise_canvas(conv.canvas if conv else {})[ENTRY_KINDS[m.entry_kind]]
        entry = entries[m.entry_index] if m.entry_index < len(entries) else {}
        detail_key = "description" if m.entry_kind == "person" else "area"
        out.append(Shown(m, str(entry.get("name") or ""), str(entry.get(detail_key) or "")))
    return out
