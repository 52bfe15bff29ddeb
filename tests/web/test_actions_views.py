"""Actions and referrals on a conversation, for each role: added, updated and closed by whoever
can open the conversation (its worker, a worker it is shared with, a manager), refused (404,
nothing changed) to a worker who cannot; "My actions" and the team's overdue actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from rhc_app.domain.uk_time import today_in_london
from rhc_app.services.conversations import complete, record_outcome, save_canvas
from rhc_app.store.models import (
    AuditEvent,
    Conversation,
    ConversationShare,
    FollowUpAction,
    Organisation,
)
from tests.conftest import make_case, now


def _in_progress(db: Any, holder: Any, actions: list[str] | None = None) -> Conversation:
    conv = db.get(Conversation, make_case(db, holder, name="Action Testchild").conversation.id)
    record_outcome(db, holder, conv, "accepted", now() - timedelta(hours=3))
    canvas = {"areas": {"victims": "Safe now"}, "actions": actions or [],
              "details": {"held_at": (now() - timedelta(hours=2)).isoformat(),
                          "consent_to_share": "yes"}}
    assert save_canvas(db, holder, conv, canvas, conv.version).applied
    db.commit()
    return conv


def _actions(db: Any, conv_id: str) -> list[FollowUpAction]:
    found = db.execute(select(FollowUpAction).where(FollowUpAction.conversation_id == conv_id)
                       .order_by(FollowUpAction.kind)
                       .execution_options(populate_existing=True)).scalars().all()
    db.commit()
    return list(found)


def _due(days: int) -> dict[str, str]:
    d = today_in_london() + timedelta(days=days)
    return {"due_on": [str(d.day), str(d.month), str(d.year)]}  # the three boxes


def _form(**over: Any) -> dict[str, Any]:
    return {"kind": "health", "owner_id": "", "status": "open", "outcome": "", "detail": "",
            **over}


def test_ticked_actions_become_the_worker_s_open_actions(world, db):
    worker = world.user("north", "worker")
    conv = _in_progress(db, worker, ["nrm", "strategy_meeting"])
    found = _actions(db, conv.id)
    assert [(a.kind, a.owner_id, a.status, a.due_on) for a in found] == [
        ("nrm", worker.id, "open", None), ("strategy_meeting", worker.id, "open", None)]
    # Unticked again before anyone touched it: gone. Ticked again: back once.
    canvas = {**conv.canvas, "actions": ["strategy_meeting"]}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    assert [a.kind for a in _actions(db, conv.id)] == ["strategy_meeting"]


def test_the_worker_adds_and_closes_an_action(world, db, auth, client):
    worker = world.user("north", "worker")
    conv = _in_progress(db, worker)
    auth.sign_in(worker)
    url = f"/conversations/{conv.id}/actions/new"
    r = auth.post(url, {**_form(owner_id=worker.id, detail="Clinic appointment"), **_due(7)})
    assert r.status_code == 302 and r.headers["Location"].endswith("#actions")
    (action,) = _actions(db, conv.id)
    assert (action.kind, action.status, action.due_on) == (
        "health", "open", today_in_london() + timedelta(days=7))
    assert action.detail == "Clinic appointment"
    assert b"Clinic appointment" not in action.detail_enc  # sealed
    page = client.get(f"/conversations/{conv.id}").get_data(as_text=True)
    assert "Clinic appointment" in page and "Add an action or referral" in page

    edit = f"/conversations/{conv.id}/actions/{action.id}"
    r = auth.post(edit, {**_form(owner_id=worker.id, status="not_done",
                                 detail="Clinic appointment"), **_due(7)})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Enter why this action was not done" in page and "govuk-error-summary" in page
    assert "Clinic appointment" in page  # what was typed is given back
    db.refresh(action)
    assert action.status == "open"  # nothing changed
    r = auth.post(edit, {**_form(owner_id=worker.id, status="not_done",
                                 outcome="The family moved away"), **_due(7)})
    assert r.status_code == 302
    db.refresh(action)
    assert (action.status, action.outcome) == ("not_done", "The family moved away")
    assert action.closed_at is not None and action.updated_by == worker.id
    events = db.execute(select(AuditEvent.action).where(AuditEvent.record_id == conv.id)
                        ).scalars().all()
    assert "action_added" in events and "action_closed" in events


def test_the_owner_must_be_someone_who_can_open_the_conversation(world, db, auth):
    worker = world.user("north", "worker")
    conv = _in_progress(db, worker)
    auth.sign_in(worker)
    r = auth.post(f"/conversations/{conv.id}/actions/new",
                  _form(owner_id=world.user("north", "worker2").id),
                  page=f"/conversations/{conv.id}/actions/new")
    assert r.status_code == 400
    assert _actions(db, conv.id) == []
    r = auth.post(f"/conversations/{conv.id}/actions/new",
                  _form(owner_id=world.user("north", "manager").id))
    assert r.status_code == 302


def test_a_past_due_date_is_refused(world, db, auth):
    worker = world.user("north", "worker")
    conv = _in_progress(db, worker)
    auth.sign_in(worker)
    r = auth.post(f"/conversations/{conv.id}/actions/new",
                  {**_form(owner_id=worker.id), **_due(-1)})
    assert r.status_code == 400
    assert "The due date must be today or in the future" in r.get_data(as_text=True)
    assert _actions(db, conv.id) == []


def test_another_worker_cannot_update_the_action(app, world, db, auth):
    worker = world.user("north", "worker")
    conv = _in_progress(db, worker, ["health"])
    (action,) = _actions(db, conv.id)
    auth.sign_in(world.user("north", "worker2"))
    edit = f"/conversations/{conv.id}/actions/{action.id}"
    assert auth.client.get(edit).status_code == 404
    token_page = "/account"
    body = _form(owner_id=worker.id, status="done", outcome="Planted")
    assert auth.post(edit, body, page=token_page).status_code == 404
    assert auth.post(f"/conversations/{conv.id}/actions/new", body,
                     page=token_page).status_code == 404
    assert [(a.status, a.outcome_enc) for a in _actions(db, conv.id)] == [("open", None)]


def test_a_worker_it_is_shared_with_can_update_it(world, db, auth):
    worker, colleague = world.user("north", "worker"), world.user("north", "worker2")
    conv = _in_progress(db, worker, ["health"])
    db.add(ConversationShare(conversation_id=conv.id, user_id=colleague.id))
    db.commit()
    (action,) = _actions(db, conv.id)
    auth.sign_in(colleague)
    r = auth.post(f"/conversations/{conv.id}/actions/{action.id}",
                  _form(owner_id=colleague.id, status="done", outcome="Seen by the nurse"))
    assert r.status_code == 302
    (action,) = _actions(db, conv.id)
    assert (action.status, action.owner_id) == ("done", colleague.id)


def test_a_manager_updates_an_action_after_completion_as_follow_up(world, db, auth):
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    conv = _in_progress(db, worker, ["police_intelligence"])
    complete(db, worker, conv, db.get(Organisation, conv.organisation_id))
    db.commit()
    version = conv.version
    (action,) = _actions(db, conv.id)
    auth.sign_in(manager)
    r = auth.post(f"/conversations/{conv.id}/actions/{action.id}",
                  _form(kind="police_intelligence", owner_id=worker.id, status="done",
                        outcome="Submitted to the police"))
    assert r.status_code == 302
    db.refresh(action)
    db.refresh(conv)
    assert action.status == "done" and conv.status == "completed"
    assert conv.version == version  # the record itself is not amended
    detail = db.execute(select(AuditEvent.detail).where(AuditEvent.action == "action_closed")
                        ).scalar_one()
    assert "follow-up" in detail and "Submitted" not in detail


def test_my_actions_lists_only_my_open_actions(world, db, auth, client):
    worker = world.user("north", "worker")
    conv = _in_progress(db, worker, ["health", "education"])
    other = _in_progress(db, world.user("north", "worker2"), ["cawn"])
    health, education = sorted(_actions(db, conv.id), key=lambda a: a.kind, reverse=True)
    db.get(FollowUpAction, education.id).status = "done"
    db.commit()
    auth.sign_in(worker)
    page = client.get("/actions").get_data(as_text=True)
    assert f"/conversations/{conv.id}/actions/{health.id}" in page
    assert education.id not in page and other.id not in page
    assert "My actions" in page


def test_managers_see_the_team_s_overdue_actions(world, db, auth, client):
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    conv = _in_progress(db, worker, ["health", "education"])
    late, on_time = _actions(db, conv.id)
    db.get(FollowUpAction, late.id).due_on = today_in_london() - timedelta(days=3)
    db.get(FollowUpAction, on_time.id).due_on = today_in_london() + timedelta(days=3)
    db.commit()
    auth.sign_in(worker)
    assert client.get("/actions/overdue").status_code == 404
    auth.sign_out()
    auth.sign_in(manager)
    page = client.get("/actions/overdue").get_data(as_text=True)
    assert late.id in page and on_time.id not in page and "Overdue by 3 days" in page
    team = client.get("/team").get_data(as_text=True)
    assert 'id="overdue-actions"' in team and "Overdue by 3 days" in team


def test_the_team_s_overdue_actions_are_paged_most_overdue_first(world, db, auth, client,
                                                                  monkeypatch):
    from rhc_app.web.actions import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    conv = _in_progress(db, worker, ["health", "education", "safety_plan_update"])
    actions = _actions(db, conv.id)
    for days, action in zip((5, 9, 7), actions, strict=True):
        db.get(FollowUpAction, action.id).due_on = today_in_london() - timedelta(days=days)
    db.commit()
    by_lateness = [a.id for _, a in sorted(zip((5, 9, 7), actions, strict=True), reverse=True)]
    auth.sign_in(manager)
    first = client.get("/actions/overdue").get_data(as_text=True)
    second = client.get("/actions/overdue?page=2").get_data(as_text=True)
    assert "Showing 1 to 2 of 3 actions" in first and "Showing 3 to 3 of 3 actions" in second
    assert first.index(by_lateness[0]) < first.index(by_lateness[1])
    assert by_lateness[2] not in first and by_lateness[2] in second
    assert 'href="/actions/overdue?page=2"' in first
    missing = client.get("/actions/overdue?page=3")
    assert missing.status_code == 404 and "There is no page 3" in missing.get_data(as_text=True)


def test_an_administrator_adds_the_organisation_s_own_actions(world, db, auth, client):
    import pyotp

    from rhc_app.store.models import User

    admin = world.user("north", "admin")
    secret = pyotp.random_base32()
    db.get(User, admin.id).totp_secret = secret
    db.commit()
    auth.sign_in(admin, code=pyotp.TOTP(secret).now())
    r = auth.post("/admin/actions", {"kinds": "Youth offending team\nFamily group conference"})
    assert r.status_code == 302
    org = db.get(Organisation, admin.organisation_id)
    db.refresh(org)
    assert org.settings["extra_actions"]["own_youth_offending_team"] == "Youth offending team"
    auth.sign_out()
    worker = world.user("north", "worker")
    conv = _in_progress(db, worker)
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv.id}/actions/new").get_data(as_text=True)
    assert "Youth offending team" in page and "Safety plan update" in page
    r = auth.post(f"/conversations/{conv.id}/actions/new",
                  _form(kind="own_youth_offending_team", owner_id=worker.id))
    assert r.status_code == 302
    assert [a.kind for a in _actions(db, conv.id)] == ["own_youth_offending_team"]


def test_the_update_page_gives_back_the_due_date_in_its_three_boxes(world, db, auth, client):
    worker = world.user("north", "worker")
    conv = _in_progress(db, worker, ["health"])
    (action,) = _actions(db, conv.id)
    db.get(FollowUpAction, action.id).due_on = date(2027, 4, 9)
    db.commit()
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv.id}/actions/{action.id}").get_data(as_text=True)
    for box, value in (("day", "09"), ("month", "04"), ("year", "2027")):
        tag = page.split(f'id="due_on-{box}"')[1].split(">")[0]
        assert f'value="{value}"' in tag, (box, tag)
