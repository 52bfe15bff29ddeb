"""The connections ranked, merged and counted by the database, a page at a time, name the
same connections in the same order, with the same counts, as ranking every mention of the
period in Python (the way the list was first computed, kept here as the reference); the
panel pack's list and one connection's page agree with it too."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select

from rhc_app.domain.identifiers import TOKEN_KINDS
from rhc_app.services import connections
from rhc_app.services.connections import Connection, Mention
from rhc_app.store.models import Episode, LinkToken
from tests.conftest import make_case, now


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
        conn.mentions.sort(key=lambda m: (m.mentioned_at, m.conversation_id, m.entry_kind,
                                          m.entry_index))
    out.sort(key=lambda c: (-c.children, -len(c.mentions), -c.last.timestamp()))
    return out


def _reference(db, org_id, start, end) -> tuple[list[Connection], set[str]]:
    """The connections, and the tokens merged into another (known by the lowest)."""
    where = connections._in_period(org_id, start, end)
    rows = db.execute(select(*connections._MENTION).where(where)
                      .order_by(LinkToken.token, LinkToken.mentioned_at)).all()
    found = _ranked(rows)
    children: dict[str, set[str]] = {}
    for r in rows:
        children.setdefault(r.token, set()).add(r.child_id)
    linking = {token for token, ids in children.items() if len(ids) > 1}
    return found, linking - {c.token for c in found}


def _varied_index(db, worker, rng: random.Random) -> None:
    """Tokens over a dozen children's conversations: some naming the same entries (merged),
    many tied on children and mentions, some on the latest mention too, a few outside."""
    convs = []
    for _ in range(12):
        episode = make_case(db, worker)
        convs.append((episode.conversation.id, db.get(Episode, episode.id).child_id))
    base = now() - timedelta(days=20)
    rows = []
    tokens = [f"{n:064x}" for n in range(40)]
    kinds = ["name", "phone", "vehicle", "postcode", "handle", "district"]
    for number, token in enumerate(tokens):
        entries = rng.sample([(c, k, i) for c in range(len(convs)) for k in ("person", "place")
                              for i in range(2)], rng.choice((1, 2, 2, 3, 4, 12, 14)))
        twin = tokens[number - 1] if number % 5 == 1 else None  # names the same entries
        for conv, kind, index in ([r[:3] for r in rows if r[3] == twin] if twin else entries):
            rows.append((conv, kind, index, token))
    when = {(c, k, i): base + timedelta(days=rng.choice((0, 1, 2, 40)))
            for c in range(len(convs)) for k in ("person", "place") for i in range(2)}
    org = worker.organisation_id
    db.execute(insert(LinkToken), [
        {"organisation_id": org, "conversation_id": convs[c][0], "child_id": convs[c][1],
         "entry_kind": k, "entry_index": i, "token_kind": kinds[int(t, 16) % len(kinds)],
         "token": t, "do_not_share": rng.random() < 0.1, "mentioned_at": when[(c, k, i)]}
        for c, k, i, t in rows])
    db.commit()


def _shape(conn: Connection) -> tuple:
    return (conn.token, conn.token_kind, conn.how, conn.children, conn.last,
            [(m.conversation_id, m.entry_kind, m.entry_index, m.do_not_share)
             for m in conn.mentions])


def _listed(conn: Connection, listed: int) -> tuple:
    """What the list shows of a connection."""
    return (conn.token, conn.token_kind, conn.how, conn.children, len(conn.mentions),
            conn.first, conn.last, conn.entry_kinds, any(m.do_not_share for m in conn.mentions),
            conn.mentions[-listed:])


def _world(world, db):
    worker = world.user("north", "worker")
    _varied_index(db, worker, random.Random(16))
    start, end = now() - timedelta(days=30), now()
    reference, merged = _reference(db, worker.organisation_id, start, end)
    assert any(len(c.how) > 1 for c in reference) and merged  # the data has merged ones
    assert len({(c.children, len(c.mentions)) for c in reference}) < len(reference)  # ties
    assert any(len(c.mentions) > 10 for c in reference)  # more than the list shows
    assert any(c.entry_kinds == ["person", "place"] for c in reference)
    return worker.organisation_id, start, end, reference, merged


def test_pages_ranked_by_the_database_equal_the_reference(world, db):
    org, start, end, reference, _ = _world(world, db)
    for size in (1, 3, 7, len(reference) + 5):
        pages = []
        for first in range(0, len(reference), size):
            total, page = connections.connection_page(db, org, start, end, first, size, 4)
            assert total == len(reference)
            pages += page
        assert [(c.token, c.token_kind, c.how, c.children, c.mentioned, c.first, c.last,
                 c.entry_kinds, c.do_not_share, c.latest) for c in pages] == [
            _listed(c, 4) for c in reference], size


def test_the_panel_packs_list_and_each_connection_equal_the_reference(world, db):
    org, start, end, reference, merged = _world(world, db)
    assert [_shape(c) for c in connections.all_connections(db, org, start, end)] == [
        _shape(c) for c in reference]
    for conn in reference:
        assert _shape(connections.connection(db, org, conn.token, start, end)) == _shape(conn)
    for token in merged:  # a connection is opened by its lowest token only
        assert connections.connection(db, org, token, start, end) is None
    alone = db.scalars(select(LinkToken.token).where(LinkToken.organisation_id == org)
                       .group_by(LinkToken.token)
                       .having(func.count(func.distinct(LinkToken.child_id)) == 1)).first()
    assert alone and connections.connection(db, org, alone, start, end) is None
