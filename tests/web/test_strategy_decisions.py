"""Strategy meeting decisions through the pages (issue 13): who may record which decision, the
errors, the flag that clears and comes back, the child's history, the police PDF, the team
dashboard and the audit log."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from rhc_app.domain.uk_time import today_in_london
from rhc_app.store.models import AuditEvent, Conversation, StrategyDecision
from tests.conftest import make_case

CHAIR = "Quill Chairperson, head of service"
REASON = "Zebedee reason: the safety plan is working"


def _repeat_child(db, holder, ref="SD-1", name="Kit Repeatchild"):
    """Three episodes in 30 days: the third reaches the threshold."""
    for hours in (300, 200, 100):
        episode = make_case(db, holder, name=name, ref=ref, found_hours_ago=hours - 5,
                            reported_hours_ago=hours)
    return episode


def _parts(day) -> list[str]:
    """The GOV.UK date input's three boxes, as the browser posts them (one name)."""
    return [str(day.day), str(day.month), str(day.year)]


def _held(day, chair=CHAIR) -> dict[str, object]:
    return {"decision": "held", "chair": chair, "held_on": _parts(day)}


def _decisions(db) -> int:
    n = db.scalar(select(func.count()).select_from(StrategyDecision))
    db.commit()
    return int(n)


def test_a_worker_is_not_offered_and_is_refused_not_needed(world, auth, client, db):
    episode = _repeat_child(db, world.user("north", "worker"))
    url = f"/children/{episode.child_id}/strategy-decision"
    auth.sign_in(world.user("north", "worker"))
    page = client.get(url).get_data(as_text=True)
    assert 'value="not_needed"' not in page and 'value="booked"' in page
    r = auth.post(url, {"decision": "not_needed", "reason": REASON})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Only a manager can record that a strategy meeting is not needed" in html
    assert "govuk-error-summary" in html
    assert _decisions(db) == 0


def test_a_manager_records_not_needed_with_a_reason(world, auth, client, db):
    episode = _repeat_child(db, world.user("north", "worker"))
    url = f"/children/{episode.child_id}/strategy-decision"
    auth.sign_in(world.user("north", "manager"))
    assert 'value="not_needed"' in client.get(url).get_data(as_text=True)
    r = auth.post(url, {"decision": "not_needed", "reason": ""})
    assert "Enter why a strategy meeting is not needed" in r.get_data(as_text=True)
    assert _decisions(db) == 0
    r = auth.post(url, {"decision": "not_needed", "reason": REASON})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/children/{episode.child_id}")
    decision = db.execute(select(StrategyDecision)).scalar_one()
    assert (decision.kind, decision.episode_id, decision.prompt) == ("not_needed", episode.id,
                                                                     "repeat")
    assert decision.reason == REASON and REASON.encode() not in decision.reason_enc
    assert decision.meeting_on is None and decision.chair is None
    page = client.get(f"/children/{episode.child_id}").get_data(as_text=True)
    assert "Strategy meeting not needed" in page and REASON in page
    actions = db.execute(select(AuditEvent.action, AuditEvent.detail)
                         .where(AuditEvent.action == "strategy_decision_recorded")).all()
    assert [tuple(a) for a in actions] == [("strategy_decision_recorded", "not_needed")]


def test_held_needs_a_real_past_date_and_a_chair_and_keeps_what_was_typed(world, auth, db):
    worker = world.user("north", "worker")
    episode = _repeat_child(db, worker)
    url = f"/children/{episode.child_id}/strategy-decision"
    auth.sign_in(worker)
    r = auth.post(url, {"decision": "held", "chair": CHAIR, "held_on": ["31", "2", "2026"]})
    html = r.get_data(as_text=True)
    assert "Date the meeting was held must be a real date" in html and CHAIR in html
    tomorrow = today_in_london() + timedelta(days=1)
    html = auth.post(url, _held(tomorrow)).get_data(as_text=True)
    assert "must be today or in the past" in html
    html = auth.post(url, _held(today_in_london(), chair=" ")).get_data(as_text=True)
    assert "Enter who chaired the meeting" in html
    html = auth.post(url, {"decision": "booked"}).get_data(as_text=True)
    assert "Enter the date the meeting is booked for" in html
    html = auth.post(url, {}).get_data(as_text=True)
    assert "Select what was decided" in html
    assert _decisions(db) == 0
    r = auth.post(url, _held(today_in_london()))
    assert r.status_code == 302
    decision = db.execute(select(StrategyDecision)).scalar_one()
    assert decision.chair == CHAIR and CHAIR.encode() not in decision.chair_enc
    assert decision.meeting_on == today_in_london()


def test_a_decision_clears_the_flag_and_the_next_episode_raises_it_again(world, auth, client, db):
    worker = world.user("north", "worker")
    episode = _repeat_child(db, worker)
    conv_url = f"/conversations/{episode.conversation.id}"
    auth.sign_in(worker)
    assert "3 episodes in 30 days" in client.get(conv_url).get_data(as_text=True)
    booked = today_in_london() + timedelta(days=3)
    r = auth.post(f"/children/{episode.child_id}/strategy-decision",
                  {"decision": "booked", "booked_for": _parts(booked)})
    assert r.status_code == 302
    assert "3 episodes in 30 days" not in client.get(conv_url).get_data(as_text=True)
    page = client.get(f"/children/{episode.child_id}").get_data(as_text=True)
    assert "Meeting booked" in page and "Strategy meeting booked for" in page
    # The next episode reported after the decision reaches the threshold again: a new trigger.
    decision = db.execute(select(StrategyDecision)).scalar_one()
    decision.recorded_at -= timedelta(hours=2)
    decision.meeting_on = today_in_london() - timedelta(days=1)  # held yesterday, say
    decision.kind = "held"
    db.commit()
    newer = make_case(db, worker, ref="SD-1", found_hours_ago=None, reported_hours_ago=1)
    html = client.get(f"/conversations/{newer.conversation.id}").get_data(as_text=True)
    assert "4 episodes in 30 days: record a strategy meeting decision" in html
    assert "episodes in 30 days" not in client.get(conv_url).get_data(as_text=True)  # still covered


def test_the_dashboard_lists_decisions_due_until_one_is_recorded(world, auth, client, db):
    worker = world.user("north", "worker")
    episode = _repeat_child(db, worker, name="Bay Dashboardchild")
    _repeat_child(db, world.user("south", "worker"), ref="SD-S", name="Other Orgchild")
    auth.sign_in(world.user("north", "manager"))
    panel = client.get("/team").get_data(as_text=True).split('id="repeat"')[1].split("<h2")[0]
    assert "Bay Dashboardchild" in panel and "Decision due" in panel
    assert "Other Orgchild" not in panel
    auth.post(f"/children/{episode.child_id}/strategy-decision", _held(today_in_london()))
    panel = client.get("/team").get_data(as_text=True).split('id="repeat"')[1].split("<h2")[0]
    assert "Bay Dashboardchild" not in panel


def test_the_police_pdf_prints_the_childs_decisions(world, auth, client, db):
    worker = world.user("north", "worker")
    episode = _repeat_child(db, worker)
    auth.sign_in(world.user("north", "manager"))
    auth.post(f"/children/{episode.child_id}/strategy-decision", _held(today_in_london()))
    auth.post(f"/children/{episode.child_id}/strategy-decision",
              {"decision": "not_needed", "reason": REASON})
    conv = db.get(Conversation, episode.conversation.id)
    conv.status = "accepted"  # documents are there once the child has accepted
    db.commit()
    r = auth.post(f"/conversations/{conv.id}/documents/police.pdf", {},
                  page=f"/conversations/{conv.id}/documents")
    assert r.status_code == 200, r.status_code
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages).split())
    section = text.split("Strategy meeting decisions")[1].split("Summary for the child")[0]
    assert "Strategy meeting held on" in section and "Quill Chairperson" in section
    assert "Strategy meeting not needed" in section and "Zebedee reason" in section
    assert section.index("not needed") < section.index("held on")  # newest first


def test_another_organisations_child_is_not_found(world, auth, client, db):
    episode = _repeat_child(db, world.user("south", "worker"))
    auth.sign_in(world.user("north", "manager"))
    url = f"/children/{episode.child_id}/strategy-decision"
    assert client.get(url).status_code == 404
    assert auth.post(url, _held(today_in_london()), page="/account").status_code == 404
    assert _decisions(db) == 0
