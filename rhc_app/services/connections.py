"""Connections: people and places named in the conversations of two or more children in a
period, found in the people and places index (services/links.py) by equality on keyed hashes,
with nothing opened. Tokens naming exactly the same mentions (a phone number and a nickname
always written together, say) are one connection, known by the lowest of its tokens.

Plain functions over a database session; no Flask."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from rhc_app.domain.identifiers import TOKEN_KINDS
from rhc_app.services.canvas import normalise_canvas
from rhc_app.services.links import ENTRY_KINDS
from rhc_app.store.models import Conversation, LinkToken

PART = 500  # bound the parameters of one statement


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


@dataclass
class Listed:
    """One connection as the list shows it: its counts, as the database counted them, and
    only its latest mentions read (a recurring person can have hundreds)."""

    token_kind: str
    token: str
    how: list[str]
    children: int
    mentioned: int  # mentions in the period
    first: datetime
    last: datetime
    entry_kinds: list[str]
    do_not_share: bool  # a child asked for at least one of its mentions not to be shared
    latest: list[Mention]  # the latest, oldest first


def _in_period(organisation_id: str, start: datetime, end: datetime) -> Any:
    return ((LinkToken.organisation_id == organisation_id) & (LinkToken.mentioned_at >= start)
            & (LinkToken.mentioned_at < end))


def _parts(items: list[str]) -> Iterable[list[str]]:
    for part in range(0, len(items), PART):
        yield items[part:part + PART]


# The columns a mention needs, read as plain rows (no model objects: a period has many).
_MENTION = (LinkToken.token, LinkToken.token_kind, LinkToken.conversation_id, LinkToken.child_id,
            LinkToken.entry_kind, LinkToken.entry_index, LinkToken.mentioned_at,
            LinkToken.do_not_share)


# Mentions in the order they were made; those made at the same time, by conversation.
_WHEN = (LinkToken.mentioned_at, LinkToken.conversation_id, LinkToken.entry_kind,
         LinkToken.entry_index)


def _mention(row: Any) -> Mention:
    return Mention(row.conversation_id, row.child_id, row.entry_kind, row.entry_index,
                   row.mentioned_at, row.do_not_share)


def _ranking(s: Session, where: Any) -> tuple[list[Any], dict[str, list[str]]]:
    """Every connection of the period, most children first, as the database counts them
    (tokens merged into the lowest left out), and how each matched."""
    children = func.count(func.distinct(LinkToken.child_id))
    mentioned, last = func.count(), func.max(LinkToken.mentioned_at)
    order = s.execute(
        select(LinkToken.token, LinkToken.token_kind, children.label("children"),
               mentioned.label("mentioned"), last.label("last"),
               func.min(LinkToken.mentioned_at).label("first"),
               func.min(LinkToken.conversation_id).label("lo"),
               func.max(LinkToken.conversation_id).label("hi"),
               func.min(LinkToken.entry_kind).label("kind_lo"),
               func.max(LinkToken.entry_kind).label("kind_hi"),
               func.max(case((LinkToken.do_not_share, 1), else_=0)).label("hidden"))
        .where(where).group_by(LinkToken.token, LinkToken.token_kind).having(children >= 2)
        .order_by(children.desc(), mentioned.desc(), last.desc(), LinkToken.token)).all()
    merged = _merged(s, where, order)
    kept = [row for row in order if row.token not in merged]
    how = {row.token: [row.token_kind] for row in kept}
    kinds = {row.token: row.token_kind for row in order}
    for token, into in merged.items():
        how[into].append(kinds[token])
    for kinds_of in how.values():
        kinds_of.sort(key=TOKEN_KINDS.index)
    return kept, how


def _merged(s: Session, where: Any, order: list[Any]) -> dict[str, str]:
    """Each token naming exactly the same mentions as a lower token: the lowest such token.
    Only tokens alike in every count (children, mentions, first and latest, first and last
    conversation) can name the same mentions: only theirs are read, and compared."""
    alike: dict[tuple[Any, ...], list[str]] = {}
    for row in order:
        alike.setdefault((row.children, row.mentioned, row.first, row.last, row.lo, row.hi),
                         []).append(row.token)
    candidates = [token for tokens in alike.values() if len(tokens) > 1 for token in tokens]
    keys: dict[str, set[tuple[str, str, int]]] = {token: set() for token in candidates}
    for part in _parts(candidates):
        for row in s.execute(select(LinkToken.token, LinkToken.conversation_id,
                                    LinkToken.entry_kind, LinkToken.entry_index)
                             .where(where, LinkToken.token.in_(part))):
            keys[row[0]].add(tuple(row[1:]))
    out: dict[str, str] = {}
    for tokens in alike.values():
        seen: dict[frozenset[tuple[str, str, int]], str] = {}
        for token in sorted(tokens) if len(tokens) > 1 else ():
            if (into := seen.setdefault(frozenset(keys[token]), token)) != token:
                out[token] = into
    return out


def connection_page(s: Session, organisation_id: str, start: datetime, end: datetime,
                    first: int = 0, size: int = 50, listed: int = 10
                    ) -> tuple[int, list[Listed]]:
    """How many connections the period has, and `size` of them from the `first`, each with
    its `listed` latest mentions: the database ranks, merges and counts the tokens, and only
    the mentions listed are read."""
    where = _in_period(organisation_id, start, end)
    kept, how = _ranking(s, where)
    shown = kept[first:first + size]
    latest: dict[str, list[Mention]] = {row.token: [] for row in shown}
    for row in _latest(s, where, list(latest), listed):
        latest[row.token].append(_mention(row))
    return len(kept), [
        Listed(row.token_kind, row.token, how[row.token], row.children, row.mentioned,
               row.first, row.last, [k for k in ENTRY_KINDS if k in (row.kind_lo, row.kind_hi)],
               bool(row.hidden), latest[row.token]) for row in shown]


def _latest(s: Session, where: Any, tokens: list[str], listed: int) -> Iterable[Any]:
    """The `listed` latest mentions of each token, oldest first."""
    newest = func.row_number().over(partition_by=LinkToken.token, order_by=[
        column.desc() for column in _WHEN]).label("newest")
    for part in _parts(tokens):
        numbered = select(*_MENTION, newest).where(where, LinkToken.token.in_(part)).subquery()
        yield from s.execute(select(numbered).where(numbered.c.newest <= listed)
                             .order_by(numbered.c.token, numbered.c.newest.desc()))


def all_connections(s: Session, organisation_id: str, start: datetime, end: datetime
                    ) -> list[Connection]:
    """Every connection of the period with every mention (the panel pack), ranked as the
    list ranks them."""
    where = _in_period(organisation_id, start, end)
    kept, how = _ranking(s, where)
    mentions: dict[str, list[Mention]] = {row.token: [] for row in kept}
    for part in _parts(list(mentions)):
        for row in s.execute(select(*_MENTION).where(where, LinkToken.token.in_(part))
                             .order_by(LinkToken.token, *_WHEN)):
            mentions[row.token].append(_mention(row))
    return [Connection(row.token_kind, row.token, how[row.token], mentions[row.token])
            for row in kept]


def connection(s: Session, organisation_id: str, token: str, start: datetime, end: datetime
               ) -> Connection | None:
    """One connection by its token, or None when it links fewer than two children there (or
    the token is merged into a lower one: the connection is known by that one). Only the
    rows of its own conversations are read, not the whole period's."""
    where = _in_period(organisation_id, start, end)
    own = s.execute(select(*_MENTION).where(where, LinkToken.token == token)
                    .order_by(*_WHEN)).all()
    if len({row.child_id for row in own}) < 2:
        return None
    keys = {(row.conversation_id, row.entry_kind, row.entry_index) for row in own}
    # A token merged with this one names the same mentions: it is in these conversations.
    near: dict[tuple[str, str], set[tuple[str, str, int]]] = {}
    for part in _parts(sorted({row.conversation_id for row in own})):
        for row in s.execute(select(LinkToken.token, LinkToken.token_kind,
                                    LinkToken.conversation_id, LinkToken.entry_kind,
                                    LinkToken.entry_index).where(
                where, LinkToken.conversation_id.in_(part), LinkToken.token != token)):
            near.setdefault((row.token, row.token_kind), set()).add(tuple(row[2:]))
    alike = {key for key, named in near.items() if named == keys}
    # ...and nowhere else in the period.
    counts = dict(s.execute(select(LinkToken.token, func.count()).where(
        where, LinkToken.token.in_([t for t, _ in alike])).group_by(LinkToken.token)).all()
    ) if alike else {}
    merged = [(t, kind) for t, kind in alike if counts.get(t) == len(own)]
    if any(t < token for t, _ in merged):
        return None
    how = sorted([own[0].token_kind, *(kind for _, kind in merged)], key=TOKEN_KINDS.index)
    return Connection(own[0].token_kind, token, how, [_mention(row) for row in own])


@dataclass
class Shown:
    """One matched entry as the connection page shows it: only its name and description (a
    person) or name and area (a place) are opened, nothing else of the record."""

    mention: Mention
    name: str
    detail: str


def open_mentions(s: Session, conn: Connection) -> list[Shown]:
    # The conversations in one query, held here while their entries are read.
    held = {c.id: c for part in _parts(sorted({m.conversation_id for m in conn.mentions}))
            for c in s.execute(select(Conversation).where(Conversation.id.in_(part))).scalars()}
    out = []
    for m in conn.mentions:
        conv = held.get(m.conversation_id)
        entries = normalise_canvas(conv.canvas if conv else {})[ENTRY_KINDS[m.entry_kind]]
        entry = entries[m.entry_index] if m.entry_index < len(entries) else {}
        detail_key = "description" if m.entry_kind == "person" else "area"
        out.append(Shown(m, str(entry.get("name") or ""), str(entry.get(detail_key) or "")))
    return out
