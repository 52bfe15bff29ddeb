"""The tablet's offline queue as the server sees it (issue 10): a sealed item goes through
the compare-and-swap save, a stale one is kept as a draft beside the saved version, an item is
taken in once however often it is sent, and one moved, altered, another worker's or sealed to
no key changes nothing. The offline page and the service worker hold nothing personal."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from rhc_app.services.conversations import record_outcome
from rhc_app.store.models import AuditEvent, Conversation, Draft, OfflineKey, OfflineReceipt
from tests.conftest import make_case, now
from tests.offline_tablet import canvas_fields, seal_item

WORDS = "She waits for him at the bus station on Fridays (invented)"


@pytest.fixture
def tablet(world: Any, auth: Any, db: Any, client: Any) -> dict[str, Any]:
    worker = world.user("north", "worker")
    conv = make_case(db, worker).conversation
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    db.commit()
    auth.sign_in(worker)
    state = client.get("/offline/state", headers={"X-Requested-With": "fetch"}).get_json()
    return {"conv": db.get(Conversation, conv.id), "state": state, "worker": worker}


def _send(client: Any, t: dict[str, Any], payload: dict[str, Any], base: int | None = None,
          conv_id: str | None = None, **extra: str) -> Any:
    conv = t["conv"]
    fields = seal_item(base64.b64decode(t["state"]["key"]), conv_id or conv.id, payload)
    fields |= {"csrf_token": t["state"]["csrf"], "user": t["state"]["user"],
               "base_version": str(base or conv.version)} | extra
    return client.post(f"/conversations/{conv.id}/queued", data=fields,
                       headers={"X-Requested-With": "fetch"})


def _stored(db: Any, conv_id: str) -> Conversation:
    db.rollback()
    db.expire_all()
    return db.get(Conversation, conv_id)


def test_state_gives_the_public_key_and_nothing_personal(tablet: dict[str, Any]) -> None:
    state = tablet["state"]
    assert set(state) == {"user", "csrf", "key"}
    assert state["user"] == tablet["worker"].id
    assert len(base64.b64decode(state["key"])) == 91  # a P-256 SubjectPublicKeyInfo


def test_a_queued_canvas_is_saved_through_the_same_save(client: Any, db: Any,
                                                        tablet: dict[str, Any]) -> None:
    conv, before = tablet["conv"], tablet["conv"].version
    r = _send(client, tablet, {"kind": "canvas", "fields": canvas_fields(victims=WORDS)})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["status"] == "saved"
    stored = _stored(db, conv.id)
    assert stored.canvas["areas"]["victims"] == WORDS
    assert stored.version == before + 1 == r.get_json()["version"]
    assert db.execute(select(OfflineReceipt.outcome)).scalar_one() == "saved"
    actions = db.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2))
    assert set(actions.scalars()) == {"conversation_saved", "offline_item_received"}


def test_an_item_sent_twice_is_taken_in_once(client: Any, db: Any, tablet: dict[str, Any]) -> None:
    conv, before = tablet["conv"], tablet["conv"].version
    fields = seal_item(base64.b64decode(tablet["state"]["key"]), conv.id,
                       {"kind": "note", "text": WORDS, "area": "victims"})
    fields |= {"csrf_token": tablet["state"]["csrf"], "user": tablet["state"]["user"],
               "base_version": str(conv.version)}
    for _ in range(2):  # the answer to the first was lost: the tablet sends it again
        r = client.post(f"/conversations/{conv.id}/queued", data=fields)
        assert r.status_code == 200 and r.get_json()["status"] == "saved"
    stored = _stored(db, conv.id)
    assert [(n["text"], n["area"]) for n in stored.canvas["notes"]] == [(WORDS, "victims")]
    assert stored.version == before + 1


def test_a_stale_item_is_kept_beside_the_saved_version(client: Any, db: Any,
                                                       tablet: dict[str, Any]) -> None:
    conv, before = tablet["conv"], tablet["conv"].version
    first = _send(client, tablet, {"kind": "canvas", "fields": canvas_fields(themes="Theirs")})
    assert first.get_json()["status"] == "saved"
    r = _send(client, tablet, {"kind": "canvas", "fields": canvas_fields(victims=WORDS)},
              base=before)  # built on the version before the other save
    assert r.status_code == 200 and r.get_json()["status"] == "kept"
    assert _stored(db, conv.id).canvas["areas"]["victims"] == ""  # never overwritten
    assert db.execute(select(func.count()).select_from(Draft)).scalar_one() == 1
    page = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    assert WORDS in page and 'id="conflict"' in page  # both versions, in the worker's words


@pytest.mark.parametrize("how", ["moved", "altered", "other_user", "no_key", "not_base64"])
def test_an_item_that_cannot_be_taken_in_changes_nothing(client: Any, db: Any, world: Any,
                                                         tablet: dict[str, Any], how: str) -> None:
    conv, before = tablet["conv"], tablet["conv"].version
    payload = {"kind": "canvas", "fields": canvas_fields(victims=WORDS)}
    extra: dict[str, str] = {}
    if how == "moved":  # sealed for another conversation, posted to this one
        r = _send(client, tablet, payload, conv_id="0" * 32)
    else:
        if how == "altered":
            extra["data"] = base64.b64encode(b"\x00" * 80).decode()
        elif how == "other_user":
            extra["user"] = world.user("north", "worker2").id
        elif how == "not_base64":
            extra["iv"] = "not base64!"
        elif how == "no_key":
            db.execute(delete(OfflineKey))
            db.commit()
        r = _send(client, tablet, payload, **extra)
    assert r.status_code == {"moved": 422, "altered": 422, "no_key": 422, "other_user": 409,
                             "not_base64": 400}[how]
    assert _stored(db, conv.id).canvas["areas"]["victims"] == ""
    assert _stored(db, conv.id).version == before
    assert db.execute(select(func.count()).select_from(OfflineReceipt)).scalar_one() == 0


def test_signed_out_the_tablet_is_told_and_nothing_changes(client: Any, db: Any, auth: Any,
                                                          tablet: dict[str, Any]) -> None:
    auth.sign_out()
    r = _send(client, tablet, {"kind": "canvas", "fields": canvas_fields(victims=WORDS)})
    assert r.status_code == 401 and r.get_json()["status"] == "signed_out"
    assert _stored(db, tablet["conv"].id).canvas["areas"]["victims"] == ""


def test_the_offline_page_and_the_service_worker_hold_nothing_personal(
        client: Any, tablet: dict[str, Any]) -> None:
    page = client.get("/offline")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert tablet["worker"].name not in text and "Sign out" not in text
    assert "Set-Cookie" not in page.headers
    sw = client.get("/sw.js")
    assert sw.headers["Service-Worker-Allowed"] == "/"
    assert sw.mimetype == "text/javascript"
    body = sw.get_data(as_text=True)
    assert '"/offline"' in body and "/assets/" in body
    # Signed-in pages stay no-store; the worker caches nothing but /assets/ and /offline.
    assert client.get(f"/conversations/{tablet['conv'].id}/canvas").headers[
        "Cache-Control"] == "no-store"
