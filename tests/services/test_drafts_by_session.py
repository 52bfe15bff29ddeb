"""Drafts are kept per browser session as well as per user (issue 15): two tablets of one
worker, refused at the same moment, each keep their own text, and neither sees the other's.
Text left by a session that has ended (expired mid-typing, signed out) reaches the worker's
next session. The session key stored is the session row's (the token's hash), never the token."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import select

from rhc_app.services.conversations import record_outcome
from rhc_app.store.models import Conversation, Draft
from tests.conftest import Auth, csrf_from, make_case, now


def _tablet(app, worker, conv_id):
    client = app.test_client()
    assert Auth(client).sign_in(worker).status_code == 302
    page = client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)
    return client, csrf_from(page)


def _autosave(client, token, conv_id, base, text):
    return client.post(f"/conversations/{conv_id}/autosave", data={
        "csrf_token": token, "base_version": str(base), "area-victims": text})


def _drafts(db, conv_id):
    rows = {d.session_key: json.loads(d.payload)["areas"]["victims"] for d in db.execute(
        select(Draft).where(Draft.conversation_id == conv_id)).scalars()}
    db.commit()
    return rows


def _canvas(client, conv_id):
    return client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)


def _token_hash(client):
    token = client.get_cookie("rhc_session").value
    return token, hashlib.sha256(token.encode("ascii")).hexdigest()


def _two_refused_tablets(app, world, db):
    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=1))
    db.commit()
    base, conv_id = conv.version, conv.id
    first, second = _tablet(app, worker, conv_id), _tablet(app, worker, conv_id)
    assert _autosave(*first, conv_id, base, "Saved from the first tablet").status_code == 200
    # Both tablets are now behind: each is refused, each with its own text.
    assert _autosave(*first, conv_id, base, "First tablet, refused").status_code == 409
    assert _autosave(*second, conv_id, base, "Second tablet, refused").status_code == 409
    return conv_id, first, second


def test_two_tablets_of_one_worker_each_keep_their_own_draft(app, world, db):
    conv_id, (first, _), (second, _) = _two_refused_tablets(app, world, db)
    page1, page2 = _canvas(first, conv_id), _canvas(second, conv_id)
    assert "First tablet, refused" in page1 and "Second tablet, refused" not in page1
    assert "Second tablet, refused" in page2 and "First tablet, refused" not in page2
    (token1, key1), (token2, key2) = _token_hash(first), _token_hash(second)
    assert _drafts(db, conv_id) == {key1: "First tablet, refused", key2: "Second tablet, refused"}
    for token in (token1, token2):  # the key is the hash; the cookie's token is stored nowhere
        assert token not in key1 + key2


def test_discarding_on_one_tablet_keeps_the_others_draft(app, world, db):
    conv_id, (first, token), (second, _) = _two_refused_tablets(app, world, db)
    r = first.post(f"/conversations/{conv_id}/discard-draft", data={"csrf_token": token})
    assert r.status_code == 302
    assert "Second tablet, refused" in _canvas(second, conv_id)
    assert list(_drafts(db, conv_id).values()) == ["Second tablet, refused"]


def test_a_signed_out_tablets_draft_reaches_the_workers_next_session(app, world, db):
    conv_id, (first, _), (second, _) = _two_refused_tablets(app, world, db)
    Auth(second).sign_out()
    page = _canvas(first, conv_id)
    assert "First tablet, refused" in page  # its own first
    r = first.post(f"/conversations/{conv_id}/discard-draft", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302
    assert "Second tablet, refused" in _canvas(first, conv_id)  # then the ended session's
