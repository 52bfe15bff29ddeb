"""The connections list ranked and merged by the database, a page at a time, names the same
connections in the same order as ranking every mention of the period in Python (the way the
list was first computed, kept here as the reference)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, insert, select

from rhc_app.services import links
from rhc_app.store.models import Episode, LinkToken
from tests.conftest import make_case, now


def _reference(db, org_id, start, end) -> list[links.Connection]:
    where = links._in_period(org_id, start, end)
    shared = (select(LinkToken.token).where(where).group_by(LinkToken.token)
              .having(func.count(func.distinct(LinkToken.child_id)) >= 2))
    return links._ranked(db.execute(select(*links._MENTION).where(
        where, LinkToken.token.in_(shared)).order_by(LinkToken.token, LinkToken.mentioned_at)))


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
                              for i in range(2)], rng.choice((1, 2, 2, 3, 4)))
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


def _shape(conn: links.Connection) -> tuple:
    return (conn.token, conn.token_kind, conn.how, conn.children, conn.last,
            sorted((m.conversation_id, m.entry_kind, m.entry_index, m.do_not_share)
                   for m in conn.mentions))


def test_pages_ranked_by_the_database_equal_the_reference(world, db):
    worker = world.user("north", "worker")
    _varied_index(db, worker, random.Random(16))
    start, end = now() - timedelta(days=30), now()
    reference = _reference(db, worker.organisation_id, start, end)
    assert any(len(c.how) > 1 for c in reference)  # the data has merged connections
    assert len({(c.children, len(c.mentions)) for c in reference}) < len(reference)  # ties
    for size in (1, 3, 7, len(reference) + 5):
        pages = []
        for first in range(0, len(reference), size):
            total, page = links.connection_page(db, worker.organisation_id, start, end,
                                                first, size)
            assert total == len(reference)
            pages += page
        assert [_shape(c) for c in pages] == [_shape(c) for c in reference], size
