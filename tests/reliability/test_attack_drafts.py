"""Finding 10 of issue 11: the text kept when a session expires mid-typing was saved as a
draft on any conversation of the user's organisation, so a worker could plant a draft on a
conversation they cannot open. It is kept only where the user may open the conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from rhc_app.services.conversations import record_outcome
from rhc_app.store.models import Conversation, Draft, WebSession
from tests.conftest import csrf_from, make_case, now
from tests.reliability_plugin import attack_refused


def _accepted_case(db, holder):
    episode = make_case(db, holder, name="Draft Testchild")
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, holder, conv, "accepted", now() - timedelta(hours=2))
    db.commit()
    return conv


def _expire_sessions(db):
    db.execute(update(WebSession).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=16)))
    db.commit()


def _post_after_expiry(client, db, url, token, fetch):
    _expire_sessions(db)
    headers = {"X-Requested-With": "fetch"} if fetch else {}
    return client.post(url, headers=headers, data={
        "csrf_token": token, "base_version": "1",
        "area-victims": "Planted text the holder never typed"})


def _drafts(db, conv_id):
    rows = db.execute(select(Draft).where(Draft.conversation_id == conv_id)).scalars().all()
    db.commit()
    return rows


@pytest.mark.parametrize("endpoint", ["autosave", "canvas"])
def test_no_draft_is_planted_on_a_conversation_the_user_cannot_open(
        world, auth, client, db, endpoint):
    conv = _accepted_case(db, world.user("north", "worker"))
    auth.sign_in(world.user("north", "worker2"))  # same organisation, not held, not shared
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert client.get(f"/conversations/{conv.id}/canvas").status_code == 404
    r = _post_after_expiry(client, db, f"/conversations/{conv.id}/{endpoint}", token,
                           fetch=endpoint == "autosave")
    if endpoint == "autosave":
        assert r.status_code == 401 and r.get_json() == {"status": "signed_out", "kept": False}
    else:
        assert r.status_code == 302 and "/sign-in" in r.headers["Location"]
    assert _drafts(db, conv.id) == []
    attack_refused(f"finding 10: expired-session {endpoint} plants a draft on another's "
                   "conversation")


def test_text_posted_from_the_full_page_after_expiry_is_still_kept(world, auth, client, db):
    worker = world.user("north", "worker")
    conv = _accepted_case(db, worker)
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    r = _post_after_expiry(client, db, f"/conversations/{conv.id}/canvas", csrf_from(page),
                           fetch=False)
    assert r.status_code == 302 and "/sign-in" in r.headers["Location"]
    assert [d.user_id for d in _drafts(db, conv.id)] == [worker.id]
    assert auth.sign_in(worker).status_code == 302
    html = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    assert "We kept what you typed" in html and "Planted text the holder never typed" in html
