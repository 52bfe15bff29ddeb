"""Finding 6: reading a record must leave a trace. Every page that shows a child's record (or
names children in a list) appends an audit event naming who looked and at which record.

The route list is checked against the app's URL map, so a new page that takes a case record's
id is caught here the day it is added."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversations import complete, record_outcome, save_canvas
from rhc_app.store.models import AuditEvent, Conversation, CoveredEpisode, FollowUpAction
from tests.conftest import csrf_from, make_case, now
from tests.reliability_plugin import attack_refused

CASE_PARAMS = {"conversation_id", "child_id", "episode_id"}

# endpoint -> (the audit action, the record type it names, which record: the test's ids key)
READS = {
    "children.show_child": ("child_viewed", "child", "child_id"),
    "children.new_episode": ("episode_form_viewed", "child", "child_id"),
    "children.placement": ("child_placement_viewed", "child", "child_id"),
    "children.edit_episode": ("episode_viewed", "episode", "episode_id"),
    "conversations.show": ("conversation_viewed", "conversation", "conversation_id"),
    "conversations.canvas": ("conversation_opened", "conversation", "conversation_id"),
    "conversations.amend_conversation": ("conversation_amend_viewed", "conversation",
                                         "completed_id"),
    "documents.summary": ("child_summary_viewed", "conversation", "conversation_id"),
    "documents.read_back": ("child_summary_read_back_viewed", "conversation",
                            "conversation_id"),
    "documents.police_pdf_page": ("documents_viewed", "conversation", "conversation_id"),
    "actions.add": ("action_form_viewed", "conversation", "conversation_id"),
    "actions.update": ("action_form_viewed", "conversation", "conversation_id"),
    "oversight.record_decision": ("strategy_decision_form_viewed", "child", "child_id"),
    "conversations.attach_episode": ("episode_attach_viewed", "conversation",
                                     "conversation_id"),
    "conversations.detach_episode": ("episode_detach_viewed", "conversation",
                                     "conversation_id"),
    # Managers' pages: read as the manager
    "oversight.senior_manager_told": ("episode_viewed", "episode", "episode_id", "manager"),
    "reports.close_offer_page": ("offer_close_viewed", "conversation", "conversation_id",
                                 "manager"),
}
LISTS = {"/": "conversations_listed", "/children": "children_listed",
         "/actions": "actions_listed"}
AUDITED_BEFORE = {"children.show_child", "conversations.show", "conversations.canvas"}


def _held(db, worker, name: str, ref: str) -> Conversation:
    episode = make_case(db, worker, name=name, ref=ref)
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    canvas = empty_canvas()
    canvas["areas"].update(locations="At the retail park by the canal")
    canvas["details"].update(held_at=(now() - timedelta(hours=1)).isoformat(),
                             consent_to_share="yes", method="face_to_face")
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    conv.child_summary = "You told me you were at the retail park."
    db.commit()
    return conv


@pytest.fixture
def ids(world, db):
    worker = world.user("north", "worker")
    conv = _held(db, worker, "Ottilie Readtrace", "RT-1001")
    done = _held(db, worker, "Perrin Readtrace", "RT-1002")
    complete(db, worker, done, worker.organisation)
    action = FollowUpAction(organisation_id=worker.organisation_id, kind="health",
                            owner_id=worker.id, conversation_id=conv.id)
    db.add(action)
    # A covered episode, made directly: the detach page only needs the link to exist.
    other = db.get(Conversation, make_case(db, worker, name="Quinn Readtrace",
                                           ref="RT-1003").conversation.id)
    link = CoveredEpisode(organisation_id=worker.organisation_id,
                          covering_conversation_id=conv.id, episode_id=other.episode_id,
                          covered_conversation_id=other.id, attached_by=worker.id,
                          status_before=other.status)
    db.add(link)
    db.commit()
    return {"conversation_id": conv.id, "child_id": conv.episode.child_id,
            "episode_id": conv.episode_id, "completed_id": done.id, "action_id": action.id,
            "link_id": link.id}


def _newest_since(db, seq: int) -> list[AuditEvent]:
    db.rollback()
    return list(db.execute(select(AuditEvent).where(AuditEvent.seq > seq)
                           .order_by(AuditEvent.seq)).scalars())


def _last_seq(db) -> int:
    db.rollback()
    return db.execute(select(func.coalesce(func.max(AuditEvent.seq), 0))).scalar_one()


def _url(app, endpoint: str, ids: dict[str, str], key: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {a: ids[key] if a in CASE_PARAMS else ids[a] for a in rule.arguments}
    return rule.build(values)[1]


def test_every_page_of_a_case_record_is_in_the_list(app):
    """A GET page that takes a case record's id must be listed in READS (and so audited)."""
    pages = {r.endpoint for r in app.url_map.iter_rules()
             if "GET" in r.methods and set(r.arguments) & CASE_PARAMS}
    assert pages == set(READS), pages ^ set(READS)


@pytest.mark.parametrize("endpoint", sorted(READS))
def test_reading_a_record_names_the_user_and_the_record(app, world, auth, client, db, ids,
                                                        endpoint):
    action, record_type, key, *role = READS[endpoint]
    worker = world.user("north", role[0] if role else "worker")
    auth.sign_in(worker)
    before = _last_seq(db)
    r = client.get(_url(app, endpoint, ids, key))
    assert r.status_code == 200, (endpoint, r.status_code)
    seen = [(e.action, e.user_id, e.organisation_id, e.record_type, e.record_id)
            for e in _newest_since(db, before)]
    expected_record = ids["child_id"] if record_type == "child" else \
        ids["episode_id"] if record_type == "episode" else ids[key]
    assert (action, worker.id, worker.organisation_id, record_type, expected_record) in seen, \
        seen
    if endpoint not in AUDITED_BEFORE:  # the others were never a hole: not counted
        attack_refused(f"finding 6: GET {endpoint} read without an audit event")


@pytest.mark.parametrize("url", sorted(LISTS))
def test_lists_that_name_children_are_audited(world, auth, client, db, ids, url):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    before = _last_seq(db)
    r = client.get(url)
    assert r.status_code == 200 and "Readtrace" in r.get_data(as_text=True)
    events = [e for e in _newest_since(db, before) if e.action == LISTS[url]]
    assert events and events[0].user_id == worker.id, [e.action for e in _newest_since(db, 0)]
    assert re.fullmatch(r"\d+ shown", events[0].detail or "")
    assert "Readtrace" not in (events[0].detail or "")
    attack_refused(f"finding 6: GET {url} listed children without an audit event")


def test_team_dashboard_is_audited(world, auth, client, db, ids):
    make_case(db, world.user("north", "worker"), name="Quilla Readtrace")  # due: listed
    manager = world.user("north", "manager")
    auth.sign_in(manager)
    before = _last_seq(db)
    r = client.get("/team")
    assert r.status_code == 200 and "Readtrace" in r.get_data(as_text=True)
    assert ("team_dashboard_viewed", manager.id) in [
        (e.action, e.user_id) for e in _newest_since(db, before)]
    attack_refused("finding 6: GET /team listed children without an audit event")


def test_conflict_page_showing_the_stored_record_is_audited(world, auth, client, db, ids):
    worker = world.user("north", "worker")
    conv_id = ids["conversation_id"]
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    form = {"csrf_token": csrf_from(page), "base_version": version, "person-count": "0",
            "place-count": "0", "note-count": "0"}
    r = client.post(f"/conversations/{conv_id}/autosave",
                    data={**form, "area-locations": "Saved from the first tab"})
    assert r.get_json()["status"] == "saved"
    before = _last_seq(db)
    r = client.post(f"/conversations/{conv_id}/canvas",
                    data={**form, "area-locations": "Typed in a stale second tab"})
    assert r.status_code == 409
    assert "Saved from the first tab" in r.get_data(as_text=True)  # the stored record, shown
    seen = [(e.action, e.user_id, e.record_id) for e in _newest_since(db, before)]
    assert ("conversation_conflict_viewed", worker.id, conv_id) in seen, seen
    attack_refused("finding 6: the conflict page returned the stored record without an audit "
                   "event")


def test_refused_canvas_input_showing_the_record_again_is_audited(world, auth, client, db, ids):
    worker = world.user("north", "worker")
    conv_id = ids["conversation_id"]
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    before = _last_seq(db)
    r = client.post(f"/conversations/{conv_id}/canvas", data={
        "csrf_token": csrf_from(page), "base_version": version, "person-count": "0",
        "place-count": "0", "note-count": "0", "detail-held_at": "not a date"})
    # The page shows what was typed, within the record (the child's name, its details).
    assert r.status_code == 400 and "not a date" in r.get_data(as_text=True)
    seen = [(e.action, e.user_id, e.record_id) for e in _newest_since(db, before)]
    assert ("conversation_opened", worker.id, conv_id) in seen, seen
    attack_refused("finding 6: a refused canvas save showed the stored record without an "
                   "audit event")
