"""Finding 1 of the attack issue: a worker reached the episodes behind a colleague's
conversations through a child they share, and changed a completed record's 72-hour figures
with nothing but an `episode_edited` event left behind."""

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from rhc_app.services.amendments import amend_episode, trail
from rhc_app.services.canvas import empty_canvas
from rhc_app.services.children import ChildDetails, EpisodeDetails, add_child, update_episode
from rhc_app.services.conversations import amend, complete, record_outcome, save_canvas
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import Amendment, AuditEvent, Conversation, ConversationShare, Episode
from rhc_app.web.filters import local_input
from tests.conftest import csrf_from, make_case, now
from tests.db_snapshot import assert_unchanged, database_rows
from tests.reliability_plugin import attack_refused


@pytest.fixture
def shared_child(world, db):
    """Worker A holds episode A of a child; worker B holds episode B of the same child."""
    a, b = world.user("north", "worker"), world.user("north", "worker2")
    ep_a = make_case(db, a, name="Juniper Testchild", ref="JT-7001")
    ep_b = make_case(db, b, ref="JT-7001", found_hours_ago=5, reported_hours_ago=8)
    assert ep_a.child_id == ep_b.child_id
    return db.get(Episode, ep_a.id), db.get(Episode, ep_b.id)


def _complete(db, worker, conv):
    """Held 5 hours after the child was found (found 10 hours ago): within 72 hours."""
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=6))
    canvas = empty_canvas()
    canvas["details"].update(held_at=(now() - timedelta(hours=5)).isoformat(),
                             consent_to_share="yes", method="face_to_face")
    canvas["areas"]["worker_analysis"] = "Invented analysis for the test."
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    complete(db, worker, conv, worker.organisation)
    db.commit()
    assert conv.status == "completed"


def _form(episode, **changes):
    data = {"reported_missing_at": local_input(episode.reported_missing_at),
            "found_at": local_input(episode.found_at), "found_where": "",
            "missing_from": episode.missing_from, "police_risk": episode.police_risk or "",
            "police_reference": episode.police_reference or ""}
    return data | changes


def _token(client):
    return csrf_from(client.get("/account").get_data(as_text=True))


def test_a_colleague_who_shares_the_child_cannot_open_or_change_the_episode(
        world, auth, client, db, shared_child):
    ep_a, _ = shared_child
    _complete(db, world.user("north", "worker"), ep_a.conversation)
    auth.sign_in(world.user("north", "worker2"))
    token = _token(client)
    before = database_rows(db)
    r = client.get(f"/episodes/{ep_a.id}/edit")
    assert r.status_code == 404 and "PR/123/2026" not in r.get_data(as_text=True)
    assert_unchanged(before, db, "GET")
    attack_refused("finding 1: GET /episodes/<id>/edit of a colleague's episode of a shared child")
    late = local_input(ep_a.found_at - timedelta(hours=80))
    r = client.post(f"/episodes/{ep_a.id}/edit", data=_form(
        ep_a, found_at=late, police_reference="", csrf_token=token))
    assert r.status_code == 404
    assert_unchanged(before, db, "POST")
    attack_refused("finding 1: POST /episodes/<id>/edit of a colleague's episode of a shared child")


def test_the_child_page_lists_only_the_episodes_the_viewer_may_open(
        world, auth, client, db, shared_child):
    ep_a, ep_b = shared_child
    auth.sign_in(world.user("north", "worker2"))
    html = client.get(f"/children/{ep_a.child_id}").get_data(as_text=True)
    assert ep_b.conversation.id in html
    assert ep_a.conversation.id not in html and ep_a.id not in html
    assert "Colleagues hold other missing episodes" in html
    attack_refused("finding 1: the child page lists a colleague's episode and its status")
    auth.sign_out()
    auth.sign_in(world.user("north", "manager"))
    html = client.get(f"/children/{ep_a.child_id}").get_data(as_text=True)
    assert ep_a.conversation.id in html and ep_b.conversation.id in html
    assert "Colleagues hold" not in html


def test_holder_shared_worker_and_manager_still_reach_the_episode(
        world, auth, client, db, shared_child):
    ep_a, _ = shared_child
    for who in ("worker", "manager"):
        auth.sign_in(world.user("north", who))
        assert client.get(f"/episodes/{ep_a.id}/edit").status_code == 200, who
        auth.sign_out()
    db.add(ConversationShare(conversation_id=ep_a.conversation.id,
                             user_id=world.user("north", "worker2").id))
    db.commit()
    auth.sign_in(world.user("north", "worker2"))
    assert client.get(f"/episodes/{ep_a.id}/edit").status_code == 200


def test_an_episode_with_no_conversation_yet_is_its_creators(world, auth, client, db):
    creator, other = world.user("north", "worker"), world.user("north", "worker2")
    child = add_child(db, db.info["keyring"], creator, ChildDetails(
        name="Wren Testchild", case_reference="WT-3100"))
    bare = Episode(organisation_id=child.organisation_id, child_id=child.id,
                   reported_missing_at=now() - timedelta(hours=3))
    db.add(bare)
    db.commit()
    make_case(db, other, ref="WT-3100")  # the other worker now shares the child
    auth.sign_in(creator)
    assert client.get(f"/episodes/{bare.id}/edit").status_code == 200
    assert "No conversation yet" in client.get(f"/children/{child.id}").get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(other)
    assert client.get(f"/episodes/{bare.id}/edit").status_code == 404
    assert bare.id not in client.get(f"/children/{child.id}").get_data(as_text=True)


def test_a_completed_conversations_episode_changes_only_by_an_amendment(
        world, auth, client, db, shared_child):
    ep_a, _ = shared_child
    worker = world.user("north", "worker")
    conv = ep_a.conversation
    _complete(db, worker, conv)
    auth.sign_in(worker)
    late = local_input(ep_a.found_at - timedelta(hours=80))
    reported = local_input(ep_a.found_at - timedelta(hours=81))
    token = csrf_from(client.get(f"/episodes/{ep_a.id}/edit").get_data(as_text=True))
    before = database_rows(db)
    r = client.post(f"/episodes/{ep_a.id}/edit", data=_form(
        ep_a, found_at=late, police_reference="", reported_missing_at=reported,
        csrf_token=token))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Enter the reason for the amendment" in html
    assert late in html  # what was typed is kept
    assert_unchanged(before, db, "no reason")
    with pytest.raises(CaseworkError):  # nor behind the form's back
        update_episode(db, worker, db.get(Episode, ep_a.id), EpisodeDetails(
            reported_missing_at=ep_a.reported_missing_at, found_at=None))
    db.rollback()
    attack_refused("finding 1: a completed conversation's episode changed without a reason")


def test_the_amendment_is_in_the_trail_and_the_police_pdf(world, auth, client, db, shared_child):
    ep_a, _ = shared_child
    worker = world.user("north", "worker")
    conv_id = ep_a.conversation.id
    _complete(db, worker, ep_a.conversation)
    auth.sign_in(worker)
    earlier = (ep_a.found_at - timedelta(hours=80)).replace(second=0)  # the form's minutes
    reason = "Police corrected the time found"
    r = auth.post(f"/episodes/{ep_a.id}/edit", _form(
        ep_a, found_at=local_input(earlier), police_reference="", reason=reason,
        reported_missing_at=local_input(earlier - timedelta(hours=1))))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/conversations/{conv_id}")
    db.expire_all()
    episode = db.get(Episode, ep_a.id)
    assert episode.found_at == earlier and episode.police_reference is None
    (amendment,) = db.execute(select(Amendment)).scalars().all()
    assert (amendment.kind, amendment.reason, amendment.by_user_id) == ("episode", reason,
                                                                        worker.id)
    assert json.loads(amendment.before)["police_reference"] == "PR/123/2026"
    assert db.execute(select(AuditEvent.action).where(AuditEvent.record_id == ep_a.id)
                      ).scalars().all()[-1] == "episode_amended"
    assert db.get(Conversation, conv_id).status == "completed"

    html = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    trail = html[html.index('id="amendments"'):]
    assert reason in trail and worker.name in trail and "missing episode" in trail
    assert "Found or returned:" in trail and "Police reference: PR/123/2026 to Not recorded" in trail

    page = f"/conversations/{conv_id}/documents"
    r = auth.post(f"/conversations/{conv_id}/documents/police.pdf", {}, page=page)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    section = text[text.index("Amendments"):text.index("Produced by")]
    for expected in (reason, worker.name, "missing episode", "Found or returned:",
                     "Police reference: PR/123/2026 to Not recorded"):
        assert expected in section.replace("\n", " "), expected
    assert "Not within 72 hours" in text


def test_the_trail_says_what_each_amendment_changed(world, db, shared_child):
    ep_a, _ = shared_child
    worker = world.user("north", "worker")
    conv = db.get(Conversation, ep_a.conversation.id)
    _complete(db, worker, conv)
    canvas = conv.canvas
    canvas["areas"]["worker_analysis"] = "Invented analysis, corrected."
    amend(db, worker, conv, canvas, "Corrected the analysis")
    db.commit()
    with pytest.raises(CaseworkError, match="Nothing has changed"):
        amend_episode(db, worker, db.get(Episode, ep_a.id), EpisodeDetails(
            reported_missing_at=ep_a.reported_missing_at, found_at=ep_a.found_at,
            police_risk=ep_a.police_risk, police_reference=ep_a.police_reference), "No change")
    db.rollback()
    amend_episode(db, worker, db.get(Episode, ep_a.id), EpisodeDetails(
        reported_missing_at=ep_a.reported_missing_at, found_at=ep_a.found_at,
        police_risk="high", police_reference=ep_a.police_reference), "Police regraded")
    db.commit()
    record, episode = trail(db, db.get(Conversation, conv.id))
    assert (record.subject, record.reason) == ("Conversation record", "Corrected the analysis")
    assert [c.what for c in record.changes] == ["Worker's analysis"]
    assert (episode.subject, episode.by) == ("Missing episode", worker.name)
    assert [(c.what, c.before, c.after) for c in episode.changes] == [
        ("Police risk grade", "Medium", "High")]
