"""Connections and hotspots kept until the organisation's people and places index changes
(services/kept_links.py, store/links_version.py): the kept answer is always the one counting
again gives; a notes-only save leaves the index and its version alone; the tokens a process
remembers are keyed by a digest, never by the words; and which conversations a viewer may
open, in one query, agrees with the one-conversation check."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from rhc_app.crypto import KeyRing
from rhc_app.security.access import conversations_among, find_conversation
from rhc_app.services import connections, hotspots, kept_links, links
from rhc_app.services.conversations import save_canvas
from rhc_app.store import links_version
from rhc_app.store.models import Conversation, ConversationShare, LinkToken, User
from tests.conftest import make_user, now
from tests.services.test_links import PERSON, held, rows_of

GARAGE = {"name": "The old garage", "area": "M1 2AB", "slept_there": "yes", "concern": ""}


def period():
    end = now() + timedelta(hours=1)
    return end - timedelta(days=90), end


def as_counted_again(db, org, bounds):
    """What each kept answer must equal: the services' own count, nothing kept."""
    start, end = bounds
    token = next((c.token for c in connections.connection_page(db, org, start, end)[1]), None)
    return (connections.connection_page(db, org, start, end),
            token and connections.connection(db, org, token, start, end),
            hotspots.counted(db, org, start, end))


def as_kept(db, org, bounds):
    start, end = bounds
    page = kept_links.connection_page(db, org, start, end)
    token = next((c.token for c in page[1]), None)
    return (page, token and kept_links.connection(db, org, token, start, end),
            kept_links.hotspots_counted(db, org, start, end))


def test_kept_pages_change_after_a_save_that_changes_a_person(world, db):
    worker, other = world.user("north", "worker"), world.user("north", "worker2")
    org = world.orgs["north"].org.id
    held(db, worker, [PERSON], [GARAGE])
    second = held(db, other, [PERSON], [GARAGE])
    bounds = period()  # once: a period read again a second later is another key
    first_answer = as_kept(db, org, bounds)
    assert first_answer == as_counted_again(db, org, bounds)
    assert first_answer[0][0] >= 1 and first_answer[1].children == 2
    db.commit()
    assert as_kept(db, org, bounds)[0] is first_answer[0]  # the same object: kept, not counted
    version = links_version.read(db, org)
    # The second child's person is someone else now: no connection is left.
    canvas = {**second.canvas, "people": [{"name": "Jo", "description": "an aunt"}],
              "places": [{"name": "Home", "area": ""}]}
    assert save_canvas(db, other, second, canvas, second.version).applied
    assert as_kept(db, org, bounds) == as_counted_again(db, org, bounds)  # its own change, uncommitted
    db.commit()
    assert links_version.read(db, org) != version
    after = as_kept(db, org, bounds)
    assert after == as_counted_again(db, org, bounds) and after[0][0] == 0 and after[1] is None
    assert after[2] and all(h.children == 1 for h in after[2])


def test_a_notes_only_save_leaves_the_index_and_version_untouched(world, db):
    worker = world.user("north", "worker")
    org = world.orgs["north"].org.id
    conv = held(db, worker, [PERSON], [GARAGE])
    rows = sorted((r.id, r.token, r.mentioned_at) for r in rows_of(db, conv))
    version = links_version.read(db, org)
    canvas = {**conv.canvas, "areas": {"worker_analysis": "Typed a little more."}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    assert not links_version.changed_here(db, org)  # nothing to replace at the commit
    db.commit()
    assert links_version.read(db, org) == version
    db.expire_all()
    assert sorted((r.id, r.token, r.mentioned_at) for r in rows_of(db, conv)) == rows
    # Not held yet: the mentions are dated by the last save, so a save re-dates them.
    canvas["details"] = {**canvas["details"], "held_at": ""}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    assert links_version.read(db, org) != version
    moved = rows_of(db, conv)
    assert {r.mentioned_at for r in moved} == {db.get(Conversation, conv.id).updated_at}
    assert sorted(r.id for r in moved) == [r[0] for r in rows]


def test_conversations_among_agrees_with_the_one_conversation_check(world, db):
    north, south = world.orgs["north"].org, world.orgs["south"].org
    worker, colleague = world.user("north", "worker"), world.user("north", "worker2")
    mine = [held(db, worker, [PERSON]) for _ in range(2)]
    theirs = held(db, colleague, [PERSON])
    elsewhere = held(db, world.user("south", "worker"), [PERSON])
    db.add(ConversationShare(conversation_id=mine[1].id, user_id=colleague.id))
    lead = make_user(db, north, "lead@north.example.org", "Lead North", "exploitation_lead")
    db.commit()
    ids = [c.id for c in (*mine, theirs, elsewhere)] + ["0" * 32]
    viewers = [*world.orgs["north"].users.values(), *world.orgs["south"].users.values(), lead]
    for viewer in viewers:
        one_by_one = {i for i in ids if find_conversation(db, viewer, i) is not None}
        assert conversations_among(db, viewer, ids) == one_by_one, viewer.email
    assert conversations_among(db, colleague, ids) == {mine[1].id, theirs.id}
    assert conversations_among(db, world.user("north", "manager"), set()) == set()
    assert isinstance(south.id, str) and db.get(User, lead.id) is not None


def test_the_memo_key_holds_no_plaintext(world, db):
    links.forget()
    worker = world.user("north", "worker")
    held(db, worker, [PERSON], [GARAGE])
    ring: KeyRing = db.info["keyring"]
    remembered = dict(links._memo)
    assert len(remembered) == 2
    words = ["Bigz", "bigz", "AB12", "07700", "900123", "7700900123", "garage", "M1 2AB", "M1"]
    for key, tokens in remembered.items():
        assert len(key) == 64 and int(key, 16) >= 0  # a hex digest, nothing else
        assert not any(w.casefold() in key.casefold() for w in words)
        assert all(len(t) == 64 and int(t, 16) >= 0 for _kind, t in tokens)
    expected = ring.digest("link_entry", "person\x00" + json.dumps(
        PERSON, ensure_ascii=False, sort_keys=True))
    assert expected in remembered
    # Keyed: another key ring's digest of the same words is another key, and the digest is
    # not the index's hash of them.
    assert KeyRing.generate().digest("link_entry", "Bigz") != ring.digest("link_entry", "Bigz")
    assert ring.digest("link_name", "bigz") != ring.index("link_name", "bigz")


def test_hotspots_in_one_query_count_each_period_to_its_edges(world, db):
    """The one query over both periods counts a mention at the period's first instant in the
    period, one at its end in neither, and one at the period before's first instant there:
    as the two queries it replaces, [start, end) and [start - length, start)."""
    worker = world.user("north", "worker")
    org = world.orgs["north"].org.id
    start, end = period()
    before = start - (end - start)
    tiny = timedelta(microseconds=1)
    edges = {"at start": start, "just before start": start - tiny, "at end": end,
             "at the period before's start": before, "just before that": before - tiny,
             "just before end": end - tiny}
    convs = {}
    for what, when in edges.items():
        conv = held(db, worker, places=[GARAGE])
        db.execute(update(LinkToken).where(LinkToken.conversation_id == conv.id)
                   .values(mentioned_at=when))
        convs[what] = conv.id
    db.commit()
    district = next(h for h in hotspots.hotspots(db, org, start, end)
                    if h.token_kind == "district")
    assert district.label == "M1"
    assert (district.episodes, district.episodes_before) == (2, 2)  # start, just before end
    rows = db.execute(select(LinkToken.conversation_id, LinkToken.mentioned_at).where(
        LinkToken.token == district.token)).all()
    assert {c for c, when in rows if start <= when < end} == {convs["at start"],
                                                              convs["just before end"]}
    assert {c for c, when in rows if before <= when < start} == {
        convs["just before start"], convs["at the period before's start"]}


def test_index_rows_written_as_objects_replace_the_version_too(world, db):
    """The services write the index with Core statements and mark it themselves; rows added
    as objects (the benchmark's seed does) are seen at the flush."""
    conv = held(db, world.user("north", "worker"), [PERSON])
    org = world.orgs["north"].org.id
    version = links_version.read(db, org)
    row = rows_of(db, conv)[0]
    db.add(LinkToken(organisation_id=org, conversation_id=conv.id, child_id=row.child_id,
                     entry_kind="person", entry_index=1, token_kind="name", token="f" * 64,
                     do_not_share=False, mentioned_at=row.mentioned_at))
    db.commit()
    assert links_version.read(db, org) != version
