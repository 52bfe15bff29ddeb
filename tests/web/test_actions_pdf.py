"""The police PDF lists each action with its status, owner and outcome, and the management
oversight (every return and sign-off, with the manager's words); the child's copy lists no
internal actions."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from rhc_app.domain.uk_time import today_in_london
from rhc_app.services.conversations import complete, record_outcome, save_canvas, sign_off
from rhc_app.services.follow_up import ActionChange, update_action
from rhc_app.store.models import Conversation, FollowUpAction, Organisation
from tests.conftest import make_case, now


def _signed_off(db: Any, world: Any) -> Conversation:
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    db.get(Organisation, worker.organisation_id).settings = {"require_signoff": True}
    conv = db.get(Conversation, make_case(db, worker, name="Pia Testchild",
                                          ref="PT-7").conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=3))
    canvas = {"areas": {"victims": "Safe now"}, "actions": ["nrm", "strategy_meeting"],
              "details": {"held_at": (now() - timedelta(hours=2)).isoformat(),
                          "consent_to_share": "yes"}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    nrm = db.execute(select(FollowUpAction).where(FollowUpAction.conversation_id == conv.id,
                                                  FollowUpAction.kind == "nrm")).scalar_one()
    update_action(db, worker, conv, nrm, ActionChange(
        kind="nrm", owner_id=manager.id, due_on=None, status="not_done",
        outcome="Panel said the threshold was not met"), today_in_london())
    org = db.get(Organisation, worker.organisation_id)
    complete(db, worker, conv, org)
    sign_off(db, manager, conv, approve=False, reason="Add where she slept")
    canvas = {**conv.canvas, "areas": {"victims": "Safe now", "locations": "A friend's flat"}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    complete(db, worker, conv, org)
    sign_off(db, manager, conv, approve=True, reason="Good follow-up on the panel")
    db.commit()
    return conv


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_the_police_pdf_lists_actions_with_status_and_the_oversight(world, db, auth):
    conv = _signed_off(db, world)
    auth.sign_in(world.user("north", "worker"))
    page = f"/conversations/{conv.id}/documents"
    r = auth.post(f"/conversations/{conv.id}/documents/police.pdf", {}, page=page)
    assert r.status_code == 200
    text = _pdf_text(r.data)
    assert "Strategy meeting: Open, owner Worker North, no due date" in text
    assert "National Referral Mechanism: Not done, owner Manager North" in text
    assert "Panel said the threshold was not met" in text
    oversight = text[text.index("Management oversight"):]
    returned = oversight.index("Returned to the worker")
    signed = oversight.index("Signed off:")
    assert returned < signed  # oldest first: both kept, not only the latest
    assert "Add where she slept" in oversight and "Good follow-up on the panel" in oversight


def test_the_child_s_copy_lists_no_internal_actions(world, db, auth):
    conv = _signed_off(db, world)
    db.get(Conversation, conv.id).child_summary = "Hi Pia,\n\nYou told me you are safe now."
    db.commit()
    auth.sign_in(world.user("north", "worker"))
    page = f"/conversations/{conv.id}/documents"
    r = auth.post(f"/conversations/{conv.id}/documents/child.pdf", {}, page=page)
    assert r.status_code == 200
    text = _pdf_text(r.data)
    assert "safe now" in text
    for internal in ("National Referral Mechanism", "threshold", "Not done", "Manager North",
                     "Good follow-up"):
        assert internal not in text


def test_the_record_shows_the_history_to_the_worker(world, db, auth, client):
    conv = _signed_off(db, world)
    auth.sign_in(world.user("north", "worker"))
    page = client.get(f"/conversations/{conv.id}").get_data(as_text=True)
    history = page[page.index('id="oversight-history"'):]
    assert "Add where she slept" in history and "Good follow-up on the panel" in history
