"""The people and places index: rebuilt with every save of a canvas, rebuilt whole by
`rhc links rebuild`, kept per organisation; and the connections found in it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from rhc_app.services import connections, links
from rhc_app.services.conversations import amend, complete, record_outcome, save_canvas
from rhc_app.store.models import AuditEvent, Conversation, LinkToken
from tests.conftest import make_case, now

PERSON = {"name": "Bigz", "description": "drives AB12 CDE", "approximate_age": "19",
          "relationship": "", "concern": "rings her on 07700 900123"}


def held(db, worker, people=(), places=(), ref=None, hours_ago=1):
    """A conversation of a new (or the given) child, accepted and saved with these entries."""
    episode = make_case(db, worker, ref=ref, found_hours_ago=hours_ago + 2,
                        reported_hours_ago=hours_ago + 10)
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=hours_ago + 1))
    canvas = {"people": list(people), "places": list(places),
              "details": {"held_at": (now() - timedelta(hours=hours_ago)).isoformat(),
                          "consent_to_share": "yes"}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    return conv


def rows_of(db, conv):
    return db.execute(select(LinkToken).where(LinkToken.conversation_id == conv.id)
                      ).scalars().all()


def test_saving_a_canvas_indexes_its_people_and_places_as_hashes(world, db):
    conv = held(db, world.user("north", "worker"), [PERSON],
                [{"name": "The old garage", "area": "M1 2AB", "slept_there": "yes",
                  "concern": ""}])
    rows = rows_of(db, conv)
    kinds = {(r.entry_kind, r.token_kind) for r in rows}
    assert kinds == {("person", "name"), ("person", "vehicle"), ("person", "phone"),
                     ("place", "name"), ("place", "postcode"), ("place", "district")}
    ring = db.info["keyring"]
    phone = next(r for r in rows if r.token_kind == "phone")
    assert phone.token == ring.index("link_phone", "+447700900123")
    assert phone.child_id == conv.episode.child_id and phone.mentioned_at == conv.held_at
    assert all(len(r.token) == 64 and "07700" not in r.token for r in rows)


def test_a_save_replaces_the_rows_and_an_amendment_too(world, db):
    worker = world.user("north", "worker")
    conv = held(db, worker, [PERSON])
    assert len(rows_of(db, conv)) == 3
    canvas = {**conv.canvas, "people": [{**PERSON, "concern": ""}]}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    assert {r.token_kind for r in rows_of(db, conv)} == {"name", "vehicle"}
    complete(db, worker, conv, worker.organisation)
    db.commit()
    amend(db, worker, conv, {**conv.canvas, "people": []}, "Wrong child's notes")
    db.commit()
    assert rows_of(db, conv) == []


def test_do_not_share_entries_are_indexed_and_marked(world, db):
    conv = held(db, world.user("north", "worker"), [{**PERSON, "do_not_share": "yes"}])
    rows = rows_of(db, conv)
    assert rows and all(r.do_not_share for r in rows)


def test_connections_link_two_children_in_one_organisation_only(world, db):
    north, south = world.user("north", "worker"), world.user("south", "worker")
    a = held(db, north, [PERSON])
    b = held(db, north, [{"name": "B", "description": "", "concern": "text 07700-900-123"}])
    held(db, north, [{"name": "Someone else", "description": "07700 900999"}])
    held(db, south, [PERSON])  # another organisation: never counted with north's
    org = world.orgs["north"].org.id
    found = connections.all_connections(db, org, now() - timedelta(days=90), now() + timedelta(hours=1))
    assert len(found) == 1
    (conn,) = found
    assert conn.how == ["phone"] and conn.children == 2
    assert {m.conversation_id for m in conn.mentions} == {a.id, b.id}
    south_org = world.orgs["south"].org.id
    assert connections.all_connections(db, south_org, now() - timedelta(days=90), now()) == []


def test_one_child_twice_is_not_a_connection_and_the_period_counts(world, db):
    worker = world.user("north", "worker")
    held(db, worker, [PERSON], ref="SAME-1")
    held(db, worker, [PERSON], ref="SAME-1")
    org = world.orgs["north"].org.id
    window = (now() - timedelta(days=90), now() + timedelta(hours=1))
    assert connections.all_connections(db, org, *window) == []
    held(db, worker, [PERSON], hours_ago=24 * 100)  # another child, but long ago
    assert connections.all_connections(db, org, *window) == []
    long_ago = connections.all_connections(db, org, now() - timedelta(days=200), window[1])
    assert long_ago and long_ago[0].how == ["phone", "vehicle", "name"]


def test_ways_of_matching_the_same_entries_are_one_connection(world, db):
    worker = world.user("north", "worker")
    held(db, worker, [PERSON])
    held(db, worker, [{**PERSON, "name": "BIGZ", "description": "car ab12cde"}])
    org = world.orgs["north"].org.id
    (conn,) = connections.all_connections(db, org, now() - timedelta(days=90), now() + timedelta(hours=1))
    assert conn.how == ["phone", "vehicle", "name"]
    shown = connections.open_mentions(db, conn)
    assert sorted(s.name for s in shown) == ["BIGZ", "Bigz"]


def test_a_save_that_leaves_the_people_and_places_as_they_were_rewrites_no_rows(world, db):
    """An autosave of the notes keeps the index rows (same ids); changing a person's phone
    number replaces them."""
    worker = world.user("north", "worker")
    conv = held(db, worker, [PERSON])
    ids = sorted(r.id for r in rows_of(db, conv))
    canvas = conv.canvas
    canvas["areas"] = {"worker_analysis": "Typed a little more."}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    assert sorted(r.id for r in rows_of(db, conv)) == ids
    canvas["people"][0]["concern"] = "rings her on 07700 900456"
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    rows = rows_of(db, conv)
    assert len(rows) == 3 and not set(ids) >= {r.id for r in rows}
    assert links.token_of(db.info["keyring"], "phone", "+447700900456") in {r.token for r in rows}


def test_rebuild_command_rebuilds_the_whole_index(world, db, runner):
    conv = held(db, world.user("north", "worker"), [PERSON])
    other = held(db, world.user("south", "worker"), [PERSON])
    db.execute(delete(LinkToken))
    db.commit()
    result = runner.invoke(args=["links", "rebuild", "--org", "north"])
    assert result.exit_code == 0, result.output
    assert "2 conversations" not in result.output
    assert len(rows_of(db, conv)) == 3 and rows_of(db, other) == []
    result = runner.invoke(args=["links", "rebuild"])
    assert result.exit_code == 0 and "6 entries" in result.output
    assert len(rows_of(db, other)) == 3
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "links_rebuilt")) == 2
    assert runner.invoke(args=["links", "rebuild", "--org", "nowhere"]).exit_code != 0


def test_rebuild_in_batches_writes_what_each_save_wrote(world, db):
    """Across batch boundaries (batch of 2, five conversations) the rows are those the saves
    wrote, and a conversation the caller holds is still attached afterwards."""
    worker = world.user("north", "worker")
    convs = [held(db, worker, [PERSON], [{"name": "The Flat", "area": "NE4 7AB"}])
             for _ in range(5)]
    saved = sorted((r.conversation_id, r.token, r.entry_index)
                   for r in db.execute(select(LinkToken)).scalars())
    assert links.rebuild(db, batch=2) == (5, len(saved))
    assert sorted((r.conversation_id, r.token, r.entry_index)
                  for r in db.execute(select(LinkToken)).scalars()) == saved
    assert convs[0] in db and convs[0].canvas["people"][0]["name"] == "Bigz"


def test_key_rotation_leaves_the_index_as_it_was(world, db, app, runner, instance):
    """The index key never rotates (crypto.py), so no rebuild is needed: the tokens after
    `rhc keys rotate` are the ones a rebuild under the new key ring writes."""
    from rhc_app.crypto import KeyRing
    from tests.helpers_security import started

    worker = world.user("north", "worker")
    held(db, worker, [PERSON])
    held(db, worker, [PERSON])
    tokens = sorted(db.execute(select(LinkToken.token)).scalars())
    db.commit()
    old = KeyRing.load(instance / "keys.json")
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    new = KeyRing.load(instance / "keys.json")
    assert new.active != old.active and new.index_key == old.index_key
    assert sorted(db.execute(select(LinkToken.token)).scalars()) == tokens
    db.commit()
    with started(instance, app.extensions["rhc_database"].url) as second:  # the new key file
        rebuilt = second.test_cli_runner().invoke(args=["links", "rebuild"])
        assert rebuilt.exit_code == 0, rebuilt.output
    assert sorted(db.execute(select(LinkToken.token)).scalars()) == tokens
    org = world.orgs["north"].org.id
    assert connections.all_connections(db, org, now() - timedelta(days=90), now() + timedelta(hours=1))


def test_a_save_that_leaves_the_entries_alone_keeps_the_rows_and_moves_their_date(world, db):
    """Autosave every few seconds mostly changes notes: the rows stay, but their date is the
    one a rebuild would write (held_at, or the last save while it has none)."""
    worker = world.user("north", "worker")
    conv = held(db, worker, [PERSON], [{"name": "The old garage", "area": "M1 2AB"}])
    ids = {r.id for r in rows_of(db, conv)}
    canvas = {**conv.canvas, "areas": {"victims": "Said nobody hurt her"}}
    canvas["details"] = {**canvas["details"], "held_at": ""}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    rows = rows_of(db, conv)
    assert {r.id for r in rows} == ids
    assert {r.mentioned_at for r in rows} == {db.get(Conversation, conv.id).updated_at}
    db.execute(delete(LinkToken).where(LinkToken.conversation_id == conv.id))  # a stale index
    db.commit()
    canvas["areas"] = {"victims": "Said nobody hurt her, twice"}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    assert len(rows_of(db, conv)) == len(ids)
