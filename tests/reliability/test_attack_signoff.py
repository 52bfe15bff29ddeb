"""Finding 14 of issue 11: a manager could sign off a conversation they held and completed
themselves, and the record could be changed while it waited for sign-off. Sign-off is now a
second person's check, and the record is frozen from submission until it is signed off or
returned to the worker (with the reason, so they know what to change)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from rhc_app.services.conversations import complete, record_outcome, save_canvas
from rhc_app.store.models import Base, Conversation, Organisation
from rhc_app.web.filters import local_input
from tests.conftest import csrf_from, make_case, make_user, now
from tests.reliability_plugin import attack_refused

FROZEN = "Waiting for a manager&#39;s sign-off"
REFUSED = "waiting for a manager&#39;s sign-off: it cannot be changed"


def _tables(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit log and the web sessions."""
    out = {t.name: sorted((tuple(r) for r in db.execute(select(t)).all()), key=repr)
           for t in Base.metadata.sorted_tables if t.name not in ("audit_event", "web_session")}
    db.commit()
    return out


def _submitted(db: Any, org: Organisation, holder: Any, completer: Any | None = None) -> str:
    """A conversation held by `holder`, completed by `completer`, awaiting sign-off."""
    db.get(Organisation, org.id).settings = {"require_signoff": True}
    episode = make_case(db, holder, name="Signoff Testchild")
    conv = db.get(Conversation, episode.conversation.id)
    conv.worker_id = holder.id
    record_outcome(db, holder, conv, "accepted", now() - timedelta(hours=3))
    canvas = {"areas": {"victims": "Held back by an older boy"},
              "details": {"held_at": (now() - timedelta(hours=2)).isoformat(),
                          "consent_to_share": "yes"}}
    assert save_canvas(db, holder, conv, canvas, conv.version).applied
    complete(db, completer or holder, conv, db.get(Organisation, org.id))
    db.commit()
    assert conv.status == "awaiting_signoff"
    return conv.id


def _status(db: Any, conv_id: str) -> str:
    value = db.execute(text("SELECT status FROM conversation WHERE id = :i"), {"i": conv_id})
    status = value.scalar_one()
    db.commit()
    return str(status)


@pytest.fixture
def manager2(world, db):
    user = make_user(db, world.orgs["north"].org, "manager2@north.example.org",
                     "Morgan Secondmanager", "manager")
    db.commit()
    return user


@pytest.mark.parametrize("case", ["held and completed", "completed for the worker",
                                  "held, the worker completed"])
def test_a_manager_cannot_sign_off_their_own_conversation(world, auth, client, db, manager2,
                                                          case):
    manager, worker = world.user("north", "manager"), world.user("north", "worker")
    holder, completer = {"held and completed": (manager, manager),
                         "completed for the worker": (worker, manager),
                         "held, the worker completed": (manager, worker)}[case]
    conv_id = _submitted(db, world.orgs["north"].org, holder, completer)
    auth.sign_in(manager)
    page = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    assert "another manager must sign it off" in page and 'value="approve"' not in page
    before = _tables(db)
    r = client.post(f"/conversations/{conv_id}/sign-off", data={
        "csrf_token": csrf_from(page), "decision": "approve"})
    assert r.status_code == 400
    assert "You held or completed this conversation, so another manager must sign it off" \
        in r.get_data(as_text=True)
    assert _tables(db) == before and _status(db, conv_id) == "awaiting_signoff"
    attack_refused(f"finding 14: self-sign-off ({case})")
    # Another manager signs it off.
    auth.sign_out()
    auth.sign_in(manager2)
    page = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    assert 'value="approve"' in page and "another manager must" not in page
    r = client.post(f"/conversations/{conv_id}/sign-off", data={
        "csrf_token": csrf_from(page), "decision": "approve"})
    assert r.status_code == 302 and _status(db, conv_id) == "completed"


def _attempts(conv_id: str, episode_id: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Every way the worker could change the record, as (url, form)."""
    c = f"/conversations/{conv_id}"
    when = local_input(now() - timedelta(minutes=30))
    canvas = {"base_version": "{version}", "area-victims": "Changed while awaiting sign-off",
              "detail-consent_to_share": "no"}
    return {
        "autosave": (f"{c}/autosave", canvas),
        "canvas save": (f"{c}/canvas", canvas),
        "add a person": (f"{c}/canvas", {**canvas, "action": "add_person"}),
        "add a note": (f"{c}/canvas", {**canvas, "scratch": "A new note", "action": "add_note"}),
        "contact attempt": (f"{c}/attempts", {"attempt-at": when, "attempt-method": "phone"}),
        "outcome": (f"{c}/outcome", {"action": "not_completed", "at": when}),
        "complete again": (f"{c}/complete", {}),
        "amend": (f"{c}/amend", {**canvas, "reason": "Changing it anyway"}),
        "child summary": (f"{c}/summary", {"summary": "You said something else."}),
        "read back": (f"{c}/summary/read-back", {}),
        "episode times": (f"/episodes/{episode_id}/edit", {
            "reported_missing_at": local_input(now() - timedelta(hours=60)),
            "found_at": local_input(now() - timedelta(hours=59)), "missing_from": "home",
            "police_risk": "low"}),
    }


@pytest.mark.parametrize("who", ["worker", "manager"])
def test_the_record_is_frozen_while_it_awaits_sign_off(world, auth, client, db, who):
    worker = world.user("north", "worker")
    conv_id = _submitted(db, world.orgs["north"].org, worker)
    conv = db.get(Conversation, conv_id)
    conv.child_summary = "You told me you were safe."
    db.commit()
    version, episode_id = conv.version, conv.episode_id
    auth.sign_in(world.user("north", who))
    page = client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)
    assert FROZEN in page and "Changes save automatically" not in page
    assert "Record an attempt" not in client.get(f"/conversations/{conv_id}").get_data(
        as_text=True)
    token = csrf_from(page)
    for name, (url, form) in _attempts(conv_id, episode_id).items():
        before = _tables(db)
        data = {k: v.format(version=version) for k, v in form.items()}
        r = client.post(url, data={**data, "csrf_token": token},
                        headers={"X-Requested-With": "fetch"} if name == "autosave" else {},
                        follow_redirects=True)
        assert r.status_code < 500, name
        body = r.get_data(as_text=True)
        said = r.get_json()["message"].replace("'", "&#39;") if name == "autosave" else body
        assert (REFUSED if name not in ("outcome", "complete again")
                else "This conversation is awaiting sign-off: it cannot be") in said, name
        assert _tables(db) == before, f"{name} changed the record awaiting sign-off"
        assert _status(db, conv_id) == "awaiting_signoff"
        attack_refused(f"finding 14: {who} changes the record awaiting sign-off ({name})")


def test_return_needs_a_reason_and_unfreezes_the_record(world, auth, client, db):
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    conv_id = _submitted(db, world.orgs["north"].org, worker)
    auth.sign_in(manager)
    page = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    before = _tables(db)
    r = client.post(f"/conversations/{conv_id}/sign-off", data={
        "csrf_token": csrf_from(page), "decision": "return", "signoff-reason": "  "})
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and "Enter what the worker needs to change" in body
    assert "There is a problem" in body and 'href="#signoff-reason"' in body
    assert _tables(db) == before
    r = client.post(f"/conversations/{conv_id}/sign-off", data={
        "csrf_token": csrf_from(page), "decision": "return",
        "signoff-reason": "Add what the carer said on return"})
    assert r.status_code == 302 and _status(db, conv_id) == "in_progress"
    raw = db.execute(text("SELECT return_reason_enc FROM conversation WHERE id = :i"),
                     {"i": conv_id}).scalar_one()
    db.commit()
    assert raw and b"carer said" not in bytes(raw)  # sealed, like every free text
    auth.sign_out()
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    assert "Returned from sign-off" in page and "Add what the carer said on return" in page
    assert manager.name in page
    canvas = client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)
    assert FROZEN not in canvas
    version = db.get(Conversation, conv_id).version
    db.commit()
    r = client.post(f"/conversations/{conv_id}/autosave", data={
        "csrf_token": csrf_from(canvas), "base_version": str(version),
        "area-carer_observations": "Mum said she was relieved"})
    assert r.status_code == 200 and r.get_json()["status"] == "saved"
