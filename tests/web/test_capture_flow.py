"""The capture journey through the web app (no browser): add a child and episode, offer,
accept, fill the canvas, conflict, expired session, complete."""

import re
from datetime import timedelta

from sqlalchemy import select

from rhc_app.store.models import Conversation, Draft
from tests.conftest import csrf_from, now
from tests.html_tree import parse


def _local(dt):
    from rhc_app.web.filters import local_input
    return local_input(dt)


def test_add_child_and_episode_then_list(world, auth, client, db):
    auth.sign_in(world.user("north", "worker"))
    r = auth.post("/children/new", {"name": "Ember Testchild", "case_reference": "NM-1001",
                                    "date_of_birth-day": "4", "date_of_birth-month": "5",
                                    "date_of_birth-year": "2011", "gender": "female",
                                    "in_care": "no"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    episode_url = r.headers["Location"]
    t = now()
    r = auth.post(episode_url, {"reported_missing_at": _local(t - timedelta(hours=40)),
                                "found_at": _local(t - timedelta(hours=20)),
                                "missing_from": "home", "police_risk": "high"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    page = client.get("/").get_data(as_text=True)
    assert "Ember Testchild" in page
    assert "2 days 3 hours" in page or "2 days 4 hours" in page  # 52 hours left on the clock
    assert "High police risk grade" in page


def test_found_before_reported_is_refused_and_kept(world, auth, client, db):
    auth.sign_in(world.user("north", "worker"))
    r = auth.post("/children/new", {"name": "Ember Testchild", "case_reference": "NM-1002",
                                    "gender": "female", "in_care": "no"})
    url = r.headers["Location"]
    t = now()
    r = auth.post(url, {"reported_missing_at": _local(t - timedelta(hours=10)),
                        "found_at": _local(t - timedelta(hours=20)), "missing_from": "home",
                        "police_reference": "KEEP-ME-77"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "govuk-error-summary" in html
    assert "Found must be after the time the child was reported missing" in html
    assert "KEEP-ME-77" in html


def _accept(auth, conv_id):
    return auth.post(f"/conversations/{conv_id}/outcome",
                     {"action": "accepted", "at": _local(now() - timedelta(hours=1))},
                     page=f"/conversations/{conv_id}")


SAVED = "We went to the park & the <b>shop</b>\nthen home"  # markup-like text, two lines


def test_canvas_save_and_conflict(world, auth, client, db):
    from tests.conftest import make_case
    worker = world.user("north", "worker")
    episode = make_case(db, worker)
    conv_id = episode.conversation.id
    auth.sign_in(worker)
    r = _accept(auth, conv_id)
    assert r.status_code == 302
    page = client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)
    token = csrf_from(page)
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    base = {"csrf_token": token, "base_version": version, "person-count": "0", "place-count": "0",
            "note-count": "0"}
    r = client.post(f"/conversations/{conv_id}/autosave", data={**base, "area-locations": SAVED})
    assert r.get_json()["status"] == "saved", r.get_data(as_text=True)
    # A second tab still on version 2 saves: conflict, not an overwrite
    r = client.post(f"/conversations/{conv_id}/autosave",
                    data={**base, "area-locations": "Other tab text"})
    assert r.status_code == 409 and r.get_json()["status"] == "conflict"
    db.rollback()  # end the test session's read snapshot
    conv = db.get(Conversation, conv_id)
    assert conv.canvas["areas"]["locations"] == SAVED
    assert db.execute(select(Draft).where(Draft.conversation_id == conv_id,
                                          Draft.user_id == worker.id)).first() is not None
    _assert_conflict_page(client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True))


def _assert_conflict_page(html):
    doc = parse(html)
    banner = doc.by_id("conflict")  # a GOV.UK notification banner, titled, as a region
    assert "govuk-notification-banner" in banner.classes and banner.attrs["role"] == "region"
    assert banner.attrs["aria-labelledby"] == "conflict-title"
    assert doc.by_id("conflict-title").text() == "Important"
    [heading] = banner.find_all("p", "govuk-notification-banner__heading")
    assert heading.text() == "Someone else saved this conversation while you were typing."
    [discard] = banner.find_all("form")  # the way out, a POST with its token
    assert discard.attrs["method"] == "post" and discard.attrs["action"].endswith("/discard-draft")
    assert [i.attrs["name"] for i in discard.find_all("input")] == ["csrf_token"]
    assert discard.find_all("button")[0].text() == "Discard my version and use the saved one"
    # Ours in the box, under its label; theirs under that box only, where they differ.
    section = doc.by_id("area-locations-section")
    assert "open" in section.attrs
    [label] = [e for e in section.find_all("label") if e.attrs.get("for") == "area-locations"]
    assert label.text() == "Locations"
    assert section.find_all("textarea")[0].text() == "Other tab text"
    [note] = doc.find_all(cls="rhc-theirs")
    assert note in section.find_all() and "govuk-inset-text" in note.classes
    assert [s.text() for s in note.find_all("strong")] == ["The other saved version:"]
    assert note.text() == "The other saved version: We went to the park & the <b>shop</b> then home"
    assert len(note.find_all("br")) == 1 and not note.find_all("b")  # their text is not markup
    assert "&amp;amp;" not in html and "&amp;lt;" not in html and "&lt;strong" not in html


def test_manager_shares_a_conversation_with_another_worker(world, auth, client, db):
    from tests.conftest import make_case
    episode = make_case(db, world.user("north", "worker"), name="Lark Sharedchild")
    conv_id = episode.conversation.id
    other = world.user("north", "worker2")
    auth.sign_in(other)
    assert client.get(f"/conversations/{conv_id}").status_code == 404
    auth.sign_out()
    auth.sign_in(world.user("north", "manager"))
    r = auth.post(f"/conversations/{conv_id}/share", {"worker_id": other.id},
                  page=f"/conversations/{conv_id}")
    assert r.status_code == 302
    auth.sign_out()
    auth.sign_in(other)
    assert client.get(f"/conversations/{conv_id}").status_code == 200
    assert "Lark Sharedchild" in client.get("/").get_data(as_text=True)


def test_complete_then_amend_with_reason(world, auth, client, db):
    from rhc_app.services.canvas import empty_canvas
    from rhc_app.services.conversations import record_outcome, save_canvas
    from tests.conftest import make_case
    worker = world.user("north", "worker")
    episode = make_case(db, worker)
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    canvas = empty_canvas()
    canvas["details"].update(held_at=(now() - timedelta(hours=1)).isoformat(), consent_to_share="no")
    canvas["areas"]["victims"] = "Said nobody hurt her"
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    auth.sign_in(worker)
    r = auth.post(f"/conversations/{conv.id}/complete", {}, page=f"/conversations/{conv.id}/canvas")
    assert r.status_code == 302
    page = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    # A document to read, not a form of locked boxes.
    assert "The conversation record" in page and "Complete the conversation" not in page
    assert "govuk-summary-list" in page and "<textarea" not in page and "Said nobody hurt her" in page
    version = str(conv.version)
    r = client.post(f"/conversations/{conv.id}/autosave",
                    data={"csrf_token": csrf_from(page), "base_version": version, "area-victims": "changed"})
    assert r.status_code == 409 and r.get_json()["status"] == "read_only"
    amend_url = f"/conversations/{conv.id}/amend"
    r = auth.post(amend_url, {"area-victims": "Said nobody hurt her; later said a man pushed her",
                              "detail-held_at": "", "reason": ""})
    assert r.status_code == 400 and "Enter the reason for the amendment" in r.get_data(as_text=True)
    r = auth.post(amend_url, {"area-victims": "Said nobody hurt her; later said a man pushed her",
                              "detail-consent_to_share": "no", "reason": "She told me more on the phone"})
    assert r.status_code == 302
    html = client.get(f"/conversations/{conv.id}").get_data(as_text=True)
    assert "She told me more on the phone" in html
    db.rollback()
    db.expire_all()
    assert "a man pushed her" in db.get(Conversation, conv.id).canvas["areas"]["victims"]


def test_text_typed_when_the_session_expired_is_restored_after_sign_in(world, auth, client, db):
    from datetime import UTC, datetime

    from sqlalchemy import update

    from rhc_app.services.conversations import record_outcome
    from rhc_app.store.models import WebSession
    from tests.conftest import make_case
    worker = world.user("north", "worker")
    episode = make_case(db, worker)
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    db.commit()
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    db.execute(update(WebSession).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=16)))
    db.commit()
    r = client.post(f"/conversations/{conv.id}/autosave", headers={"X-Requested-With": "fetch"},
                    data={"csrf_token": csrf_from(page), "base_version": version,
                          "area-pull_factors": "She wanted to see her friend Jojo"})
    assert r.status_code == 401 and r.get_json() == {"status": "signed_out", "kept": True}
    assert auth.sign_in(worker).status_code == 302
    html = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    assert "We kept what you typed" in html and "She wanted to see her friend Jojo" in html
