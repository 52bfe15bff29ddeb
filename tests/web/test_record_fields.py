"""Issue 17 through the pages: a decline with what the carers said, a decision not to offer,
a late offer or hold with its reason, who held it, and the organisation's list of reasons."""

import re
from datetime import timedelta

import pyotp
from sqlalchemy import select, text

from rhc_app.store.models import Conversation, Organisation, User
from tests.conftest import csrf_from, make_case, now
from tests.html_tree import parse


def _local(dt):
    from rhc_app.web.filters import local_input
    return local_input(dt)


def _outcome(auth, conv_id, **data):
    return auth.post(f"/conversations/{conv_id}/outcome", data, page=f"/conversations/{conv_id}")


def _conv(db, conv_id):
    db.rollback()
    db.expire_all()
    return db.get(Conversation, conv_id)


CARERS = "Her foster carer said she came back soaked and hungry, and went straight to bed"


def test_a_decline_keeps_what_the_carers_said_sealed(world, auth, client, db):
    conv_id = make_case(db, world.user("north", "worker")).conversation.id
    auth.sign_in(world.user("north", "worker"))
    r = _outcome(auth, conv_id, action="declined", at=_local(now() - timedelta(hours=1)),
                 reason="Did not want to talk", carers_said=CARERS)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    assert _conv(db, conv_id).carers_said == CARERS
    raw = db.execute(text("SELECT carers_said_enc FROM conversation WHERE id = :i"),
                     {"i": conv_id}).scalar_one()
    assert b"foster carer" not in raw  # sealed, never stored as typed
    assert CARERS in client.get(f"/conversations/{conv_id}").get_data(as_text=True)


def test_a_late_offer_asks_why_and_keeps_what_was_typed(world, auth, client, db):
    conv_id = make_case(db, world.user("north", "worker"), found_hours_ago=100,
                        reported_hours_ago=120).conversation.id
    auth.sign_in(world.user("north", "worker"))
    at = _local(now() - timedelta(hours=1))
    r = _outcome(auth, conv_id, action="declined", at=at, carers_said=CARERS)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Select why the conversation was offered more than 72 hours after the child was " \
           "found" in html and "govuk-error-summary" in html
    assert 'href="#late_reason"' in html and CARERS in html  # linked to the field, kept
    assert _conv(db, conv_id).status == "to_offer"  # nothing changed
    r = _outcome(auth, conv_id, action="declined", at=at, late_reason="other")
    assert r.status_code == 400 and "Enter what the other reason was" in r.get_data(as_text=True)
    r = _outcome(auth, conv_id, action="declined", at=at, late_reason="made_up")
    assert r.status_code == 400 and "Select a reason from the list" in r.get_data(as_text=True)
    r = _outcome(auth, conv_id, action="declined", at=at, late_reason="other",
                 late_reason_note="The referral went to the wrong team")
    assert r.status_code == 302
    conv = _conv(db, conv_id)
    assert conv.late_reason == "other" and conv.status == "declined"
    assert conv.canvas["details"]["late_reason_note"] == "The referral went to the wrong team"
    html = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    assert "Other: The referral went to the wrong team" in html


def test_an_offer_in_time_needs_no_reason(world, auth, client, db):
    conv_id = make_case(db, world.user("north", "worker")).conversation.id
    auth.sign_in(world.user("north", "worker"))
    r = _outcome(auth, conv_id, action="offer", at=_local(now() - timedelta(hours=1)))
    assert r.status_code == 302 and _conv(db, conv_id).late_reason is None


def test_a_decision_not_to_offer_says_who_and_why(world, auth, client, db):
    conv_id = make_case(db, world.user("north", "worker")).conversation.id
    auth.sign_in(world.user("north", "worker"))
    at = _local(now() - timedelta(hours=1))
    r = _outcome(auth, conv_id, action="not_offered", at=at, reason="Already in a strategy plan")
    assert r.status_code == 400
    assert "Enter who decided not to offer the conversation" in r.get_data(as_text=True)
    r = _outcome(auth, conv_id, action="not_offered", at=at, not_offered_by="Sam Manager, team")
    assert r.status_code == 400
    assert "Enter why it was decided not to offer" in r.get_data(as_text=True)
    r = _outcome(auth, conv_id, action="not_offered", at=at, not_offered_by="Sam Manager",
                 reason="Already in a strategy plan")
    assert r.status_code == 302
    conv = _conv(db, conv_id)
    assert (conv.status, conv.outcome, conv.not_offered) == ("not_completed", "not_completed",
                                                             True)
    assert conv.not_offered_by == "Sam Manager" and conv.offered_at is None
    html = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    assert "Yes, by Sam Manager. Why: Already in a strategy plan" in html


def _canvas_base(client, conv_id):
    page = client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    return page, {"csrf_token": csrf_from(page), "base_version": version, "person-count": "0",
                  "place-count": "0", "note-count": "0"}


def test_a_late_hold_asks_why_on_save_but_autosave_keeps_typing(world, auth, client, db):
    worker = world.user("north", "worker")
    conv_id = make_case(db, worker, found_hours_ago=100, reported_hours_ago=120).conversation.id
    auth.sign_in(worker)
    r = _outcome(auth, conv_id, action="accepted", at=_local(now() - timedelta(hours=90)),
                 late_reason="child_not_available")  # offered 10 hours after found: in time
    assert r.status_code == 302
    assert _conv(db, conv_id).late_reason == "child_not_available"
    page, base = _canvas_base(client, conv_id)
    doc = parse(page)
    # The canvas suggests the council worker's role, and says they are not independent.
    assert doc.by_id("detail-holder_role").attrs.get("checked") is not None
    held = {"detail-held_at": _local(now() - timedelta(hours=2)), "area-victims": "Safe now"}
    r = client.post(f"/conversations/{conv_id}/autosave", data={**base, **held})
    assert r.get_json()["status"] == "saved"  # typing is never refused for it
    page, base = _canvas_base(client, conv_id)
    r = client.post(f"/conversations/{conv_id}/canvas",
                    data={**base, **held, "detail-late_reason": "", "action": "save"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'href="#detail-late_reason"' in html
    assert "Select why the conversation was held more than 72 hours" in html and "Safe now" in html
    r = client.post(f"/conversations/{conv_id}/canvas", data={
        **base, **held, "detail-late_reason": "worker_not_available", "action": "save",
        "detail-holder_role": "missing_worker", "detail-holder_independent": "yes"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    conv = _conv(db, conv_id)
    assert (conv.late_reason, conv.holder_role, conv.holder_independent) == (
        "worker_not_available", "missing_worker", True)


def test_holder_answers_outside_the_lists_are_refused(world, auth, client, db):
    worker = world.user("north", "worker")
    conv_id = make_case(db, worker).conversation.id
    auth.sign_in(worker)
    _outcome(auth, conv_id, action="accepted", at=_local(now() - timedelta(hours=1)))
    _page, base = _canvas_base(client, conv_id)
    r = client.post(f"/conversations/{conv_id}/autosave",
                    data={**base, "detail-holder_independent": "maybe"})
    assert r.status_code == 422 and "detail-holder_independent" in r.get_json()["problems"]
    assert _conv(db, conv_id).holder_independent is None


def test_an_organisation_sets_its_own_late_reasons(world, auth, client, db):
    admin, secret = world.user("north", "admin"), pyotp.random_base32()
    db.get(User, admin.id).totp_secret = secret
    db.commit()
    auth.sign_in(admin, code=pyotp.TOTP(secret).now())
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Notification arrived late\nChild missing again" in page
    r = auth.post("/admin/settings", {"repeat_threshold": "3", "repeat_window_days": "30",
                                      "late_reasons": "Police check delayed\n\nBank holiday"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/settings"), r.headers
    db.rollback()
    db.expire_all()
    org = db.execute(select(Organisation).where(Organisation.slug == "north")).scalar_one()
    assert org.settings.get("late_reasons") == ["Police check delayed", "Bank holiday"], org.settings
    r = auth.post("/admin/settings", {"repeat_threshold": "3", "repeat_window_days": "30",
                                      "late_reasons": "x" * 81})
    assert "Each reason must be 80 characters or fewer" in r.get_data(as_text=True)
    auth.sign_out()
    conv_id = make_case(db, world.user("north", "worker"), found_hours_ago=100,
                        reported_hours_ago=120).conversation.id
    auth.sign_in(world.user("north", "worker"))
    html = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    assert "Bank holiday" in html and "Notification arrived late" not in html
    r = _outcome(auth, conv_id, action="offer", at=_local(now() - timedelta(hours=1)),
                 late_reason="bank_holiday")
    assert r.status_code == 302 and _conv(db, conv_id).late_reason == "bank_holiday"


def _flat_pdf(auth, conv_id):
    from tests.web.test_record_contents import _download, _flat
    return _flat(_download(auth, conv_id))


def test_the_police_pdf_of_a_late_decline_has_the_carers_words_and_the_reason(
        world, auth, client, db):
    conv_id = make_case(db, world.user("north", "worker"), found_hours_ago=100,
                        reported_hours_ago=120).conversation.id
    auth.sign_in(world.user("north", "worker"))
    r = _outcome(auth, conv_id, action="declined", at=_local(now() - timedelta(hours=1)),
                 carers_said=CARERS, late_reason="notification_arrived_late")
    assert r.status_code == 302
    assert 'id="declined-pdf"' in client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    text = _flat_pdf(auth, conv_id)
    assert f"What the parents or carers said: {CARERS}" in text
    assert "Why it came after 72 hours: Notification arrived late" in text
    assert "Decision not to offer" not in text


def test_the_police_pdf_says_who_held_it_and_the_councils(world, auth, client, db):
    from rhc_app.services.canvas import empty_canvas
    from rhc_app.services.conversations import record_outcome, save_canvas
    from rhc_app.store.models import Child

    worker = world.user("north", "worker")
    episode = make_case(db, worker)
    child = db.get(Child, episode.child_id)
    child.placing_authority, child.host_area = "Harrow", "Gateshead"
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    canvas = empty_canvas()
    canvas["details"].update(held_at=(now() - timedelta(hours=1)).isoformat(),
                             holder_role="provider_worker", holder_independent="yes")
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    auth.sign_in(worker)
    text = _flat_pdf(auth, conv.id)
    assert "Placing authority: Harrow Host area: Gateshead" in text
    assert "Role of the person who held it: Worker from an independent provider" in text
    assert "Independent of the child's care: Yes" in text


def test_the_canvas_offers_before_during_and_after_as_prompts_only(world, auth, client, db):
    worker = world.user("north", "worker")
    conv_id = make_case(db, worker).conversation.id
    auth.sign_in(worker)
    _outcome(auth, conv_id, action="accepted", at=_local(now() - timedelta(hours=1)))
    page, _base = _canvas_base(client, conv_id)
    doc = parse(page)
    prompts = doc.by_id("stage-prompts")
    assert prompts.tag == "details" and "open" not in prompts.attrs  # collapsed, offered
    assert [h.text() for h in prompts.find_all("h3")] == [
        "Before they went missing", "While they were missing", "Since they came back"]
    assert "How did you get home? Who brought you?" in prompts.text()
    assert not prompts.find_all("textarea") and not prompts.find_all("input")  # nothing to fill


def test_the_quarterly_page_counts_late_reasons_and_filters_by_council(world, auth, client, db):
    from rhc_app.store.models import Child

    worker = world.user("north", "worker")
    episode = make_case(db, worker, found_hours_ago=100, reported_hours_ago=120)
    db.get(Child, episode.child_id).placing_authority = "Harrow"
    db.commit()
    auth.sign_in(worker)
    _outcome(auth, episode.conversation.id, action="declined",
             at=_local(now() - timedelta(hours=1)), late_reason="child_missing_again")
    assert client.get("/reports/quarterly").status_code in (403, 404)  # managers only
    auth.sign_out()
    auth.sign_in(world.user("north", "manager"))
    year = int(re.search(r'name="year" type="text" inputmode="numeric" value="(\d+)"',
                         client.get("/reports/quarterly").get_data(as_text=True)).group(1))
    doc = parse(client.get(f"/reports/quarterly?year={year}&placing=Harrow").get_data(
        as_text=True))
    [row] = [tr for tr in doc.find_all("tr") if tr.text().startswith("Child missing again")]
    assert [td.text() for td in row.find_all("td")][-1] == "1"
    assert doc.by_id("placing").tag == "select"
    assert client.get(f"/reports/quarterly?year={year}&placing=Nowhere").status_code == 400
    other = parse(client.get(f"/reports/quarterly?year={year}&host=").get_data(as_text=True))
    assert other.by_id("late-reasons") and other.by_id("independence")
    from tests.web.test_record_contents import _flat, _text
    paper = _flat(_text(client.get(f"/reports/quarterly?year={year}&format=pdf").data))
    assert "Reasons for a late offer or conversation" in paper
    quarter = next(i for i, td in enumerate(row.find_all("td")) if td.text() == "1")
    cells = ["0"] * 4 + ["<5"]
    cells[quarter] = "<5"  # outside the team, a count of 1 is shown as <5
    assert "Child missing again " + " ".join(cells) in paper


def test_the_placing_and_host_councils_of_a_child(world, auth, client, db):
    from rhc_app.store.models import Child

    worker = world.user("north", "worker")
    child_id = make_case(db, worker).child_id
    auth.sign_in(worker)
    url = f"/children/{child_id}/placement"
    assert 'href="' + url + '"' in client.get(f"/children/{child_id}").get_data(as_text=True)
    r = auth.post(url, {"placing_authority": "x" * 101, "host_area": "Gateshead"})
    assert r.status_code == 200 and "Enter 100 characters or fewer" in r.get_data(as_text=True)
    assert "Gateshead" in r.get_data(as_text=True)  # kept
    r = auth.post(url, {"placing_authority": " Harrow  London ", "host_area": "Gateshead"})
    assert r.status_code == 302
    db.rollback()
    db.expire_all()
    child = db.get(Child, child_id)
    assert (child.placing_authority, child.host_area) == ("Harrow London", "Gateshead")
    auth.sign_out()
    auth.sign_in(world.user("south", "worker"))
    assert client.get(url).status_code == 404  # another organisation's child


def test_an_amendment_keeps_the_late_reason_asked_for(world, auth, client, db):
    from rhc_app.services.canvas import empty_canvas
    from rhc_app.services.conversations import complete, record_outcome, save_canvas
    from rhc_app.services.errors import CaseworkError

    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker, found_hours_ago=100,
                                          reported_hours_ago=120).conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=95))
    canvas = empty_canvas()
    canvas["details"].update(held_at=(now() - timedelta(hours=2)).isoformat(),
                             consent_to_share="no")
    assert save_canvas(db, worker, conv, canvas, conv.version).applied  # an autosave: kept
    try:
        complete(db, worker, conv, worker.organisation)
    except CaseworkError as exc:
        assert exc.field == "late_reason"
    else:
        raise AssertionError("completed without the late reason")
    canvas["details"]["late_reason"] = "child_missing_again"
    assert save_canvas(db, worker, conv, canvas, conv.version, strict=True).applied
    complete(db, worker, conv, worker.organisation)
    db.commit()
    auth.sign_in(worker)
    url = f"/conversations/{conv.id}/amend"
    held = _local(now() - timedelta(hours=2))
    r = auth.post(url, {"detail-held_at": held, "detail-consent_to_share": "no",
                        "detail-late_reason": "", "reason": "Typo in the areas"})
    assert r.status_code == 400 and 'href="#detail-late_reason"' in r.get_data(as_text=True)
    r = auth.post(url, {"detail-held_at": held, "detail-consent_to_share": "no",
                        "detail-late_reason": "other", "detail-late_reason_note": "Snow",
                        "reason": "Typo in the areas"})
    assert r.status_code == 302
    assert _conv(db, conv.id).late_reason == "other"
