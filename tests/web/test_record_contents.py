"""Issue 12: everything recorded reaches the police PDF, under the heading the worker saw,
and the child's copy is written by the worker who held the conversation.

Built through the app (services and the download view) and read back with pypdf, so the
model-to-record mapping is tested with the builders.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pyotp
from pypdf import PdfReader

from rhc_app.documents.records import DEFAULT_HANDLING
from rhc_app.domain.vocabulary import AREAS
from rhc_app.services.canvas import empty_canvas
from rhc_app.services.children import ChildDetails, EpisodeDetails, add_child, add_episode
from rhc_app.services.conversations import (
    amend,
    complete,
    record_attempt,
    record_outcome,
    save_canvas,
    sign_off,
)
from rhc_app.store.models import Conversation, Organisation
from tests.conftest import csrf_from, make_case, now
from tests.web.test_admin import _admin_with_totp

PHRASES_EPISODE = {"found_where": "Qfoundwhere", "police_reference": "Qpoliceref"}
DETAIL_PHRASES = {"location": "Qlocation", "present": "Qpresent", "language": "Qlanguage",
                  "how_got_home": "Qgothome", "helplines_given": "Qhelplines"}
CHOICES = {"method": "video", "seen_alone": "yes", "independent_offered": "no",
           "interpreter": "yes", "consent_to_share": "no", "sees_self_missing": "unsure"}
#: The worker's questions as the PDF must print them, with the answers chosen above.
CHOICE_LINES = ("How: Video call", "Was the child seen alone? Yes",
                "Was an independent person offered? No", "Was an interpreter used? Yes",
                "Does the child consent to sharing with police? No",
                "Does the child see themselves as having been missing? Not sure")
PERSON = {"name": "Qpname", "description": "Qpdesc", "approximate_age": "19",
          "relationship": "Qprel", "concern": "Qpconcern"}
PLACE = {"name": "Qplace", "area": "Qparea", "slept_there": "yes", "concern": "Qplconcern"}


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _download(auth, conv_id: str, kind: str = "police") -> str:  # type: ignore[no-untyped-def]
    page = f"/conversations/{conv_id}/documents"
    r = auth.post(f"/conversations/{conv_id}/documents/{kind}.pdf", {}, page=page)
    assert r.status_code == 200, r.status_code
    return _text(r.data)


def _full_canvas() -> dict:  # type: ignore[type-arg]
    canvas = empty_canvas()
    canvas["areas"].update({key: f"Qarea{key.replace('_', '')}" for key in AREAS})
    canvas["details"].update(DETAIL_PHRASES, **CHOICES,
                             held_at=(now() - timedelta(hours=1)).isoformat())
    canvas["child_words"] = "Qchildwords"
    canvas["people"], canvas["places"] = [dict(PERSON)], [dict(PLACE)]
    canvas["notes"] = [{"text": "Qquicknote", "area": "themes", "at": ""}]
    canvas["risk_factors"] = ["trafficking"]
    canvas["actions"] = ["strategy_meeting", "police_intelligence"]
    canvas["actions_detail"] = "Qactionsdetail"
    return canvas


def _filled_conversation(db, worker):  # type: ignore[no-untyped-def]
    episode = make_case(db, worker, name="Tamsin Quarrendale", ref="QR-1", police_risk="high")
    episode.found_where = PHRASES_EPISODE["found_where"]
    episode.police_reference = PHRASES_EPISODE["police_reference"]
    conv = db.get(Conversation, episode.conversation.id)
    record_attempt(db, worker, conv, now() - timedelta(hours=5), "text", "Qattemptresult")
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=3))
    assert save_canvas(db, worker, conv, _full_canvas(), conv.version).applied
    conv.child_summary = "Qsummary"
    db.commit()
    return conv


def test_every_recorded_field_reaches_the_police_pdf(world, auth, db):  # type: ignore[no-untyped-def]
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    conv = _filled_conversation(db, worker)
    complete(db, worker, conv, world.orgs["north"].org)
    amended = _full_canvas()
    amended["areas"]["themes"] += " Qamended"
    amend(db, worker, conv, amended, "Qamendreason")
    db.commit()
    auth.sign_in(manager)
    text = _flat(_download(auth, conv.id))
    phrases = [*PHRASES_EPISODE.values(), *DETAIL_PHRASES.values(), *CHOICE_LINES,
               *(f"Qarea{key.replace('_', '')}" for key in AREAS), "Qchildwords",
               *(v for k, v in PERSON.items()), *(v for k, v in PLACE.items() if k != "slept_there"),
               "Qquicknote", "Risk of trafficking", "Strategy meeting", "Police intelligence",
               "Qactionsdetail", "Qsummary", "Qattemptresult", "Text message", "Qamendreason",
               "Qamended", "Police risk grade: High", "Missing from: Home", "Tamsin Quarrendale",
               "QR-1"]
    missing = [p for p in phrases if p not in text]
    assert not missing, missing


def test_each_unanswered_question_reads_not_recorded(world, auth, db):  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    ring = db.info["keyring"]
    child = add_child(db, ring, worker, ChildDetails(name="Kit Emptyfield", case_reference="QE-2"))
    episode = add_episode(db, worker, child, EpisodeDetails(
        reported_missing_at=now() - timedelta(hours=20), found_at=now() - timedelta(hours=10)))
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=3))
    canvas = empty_canvas()
    canvas["details"]["held_at"] = (now() - timedelta(hours=1)).isoformat()
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    auth.sign_in(worker)
    lines = [" ".join(line.split()) for line in _download(auth, conv.id).splitlines()]
    fields = ("Does the child consent to sharing with police?", "Police risk grade:",
              "Immediate safeguarding actions and referrals:", "Date of birth:", "Where found:",
              "Police reference:", "How:", "Where:", "Who was present:",
              "Was the child seen alone?", "Was an independent person offered?",
              "Language used:", "Was an interpreter used?",
              "Does the child see themselves as having been missing?",
              "How they got home, and who brought them:",
              "Helplines and safety information given:")
    for label in fields:
        assert f"{label} Not recorded" in lines, label
    sections = ("Attempts to make contact", "In the child's own words", "Victims", "Themes",
                "What the child wants to happen", "People", "Places", "Risk factors",
                "Worker's analysis", "Safety advice given", "Actions and referrals",
                "Summary for the child")
    for title in sections:
        assert lines[lines.index(title) + 1] == "Not recorded", title


def test_key_facts_and_handling_instructions_lead_page_one(world, auth, db):  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    conv = _filled_conversation(db, worker)
    auth.sign_in(worker)
    first = PdfReader(io.BytesIO(auth.post(
        f"/conversations/{conv.id}/documents/police.pdf", {},
        page=f"/conversations/{conv.id}/documents").data)).pages[0].extract_text()
    flat = _flat(first)
    order = [flat.find(t) for t in (
        f"Handling instructions: {DEFAULT_HANDLING}", "Key facts",
        "Does the child consent to sharing with police? No", "Police risk grade: High",
        "Immediate safeguarding actions and referrals: Strategy meeting; Police intelligence",
        "Record status: Not yet completed", "Organisation")]
    assert -1 not in order and order == sorted(order), order


def test_handling_instructions_and_team_contact_are_set_by_the_admin(world, auth, client, db):  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    conv = _filled_conversation(db, worker)
    admin, secret = _admin_with_totp(db, world)
    auth.sign_in(admin, code=pyotp.TOTP(secret).now())
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="handling_instructions"' in page and 'name="team_contact"' in page
    r = auth.post("/admin/settings", {"repeat_threshold": "3", "repeat_window_days": "30",
                                      "handling_instructions": "Only for Qrole staff.",
                                      "team_contact": "text the Qteam line on 07700 900123"})
    assert r.status_code == 302
    r = auth.post("/admin/settings", {"repeat_threshold": "3", "repeat_window_days": "30",
                                      "handling_instructions": "x" * 301, "team_contact": ""})
    assert r.status_code == 200 and "Enter 300 characters or fewer" in r.get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(worker)
    police = _flat(_download(auth, conv.id))
    assert "Handling instructions: Only for Qrole staff." in police
    assert DEFAULT_HANDLING not in police
    child = _flat(_download(auth, conv.id, "child"))
    assert "To reach me: text the Qteam line on 07700 900123." in child


def test_rhc_orgs_set_sets_the_handling_and_contact(world, runner, db):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["orgs", "set", "north", "--handling-instructions",
                                 "Police and social care only.", "--team-contact",
                                 "call the duty desk on 0161 496 0000"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    org = db.get(Organisation, world.orgs["north"].org.id)
    assert org.setting("handling_instructions") == "Police and social care only."
    assert org.setting("team_contact") == "call the duty desk on 0161 496 0000"
    too_long = runner.invoke(args=["orgs", "set", "north", "--team-contact", "x" * 151])
    assert too_long.exit_code != 0 and "150 characters or fewer" in too_long.output


def test_who_held_it_is_named_apart_from_who_produced_it(world, auth, db):  # type: ignore[no-untyped-def]
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    conv = _filled_conversation(db, worker)
    auth.sign_in(manager)
    lines = [" ".join(line.split()) for line in _download(auth, conv.id).splitlines()]
    held = lines.index("Conversation held by")
    assert lines[held + 1:held + 4] == ["Worker: Worker North", "Organisation: Northmoor Council",
                                        "Role: Worker"]
    produced = lines.index("Produced by")
    assert lines[produced + 1:produced + 3] == ["Name: Manager North", "Role: Manager"]
    assert lines[produced + 3].startswith("Date produced: ")


def test_the_record_says_where_it_stands_with_sign_off(world, auth, db):  # type: ignore[no-untyped-def]
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    org = world.orgs["north"].org
    org.settings = {**(org.settings or {}), "require_signoff": True}
    conv = _filled_conversation(db, worker)
    complete(db, worker, conv, org)
    db.commit()
    auth.sign_in(manager)
    assert "Record status: Not yet signed off: waiting for a manager's sign-off" in \
        _flat(_download(auth, conv.id))
    sign_off(db, manager, conv, approve=False, reason="Qreturnreason")
    db.commit()
    text = _flat(_download(auth, conv.id))
    assert "Record status: Not yet completed or signed off" in text
    assert re.search(r"Last returned to the worker: .+ by Manager North\. Reason: Qreturnreason",
                     text)
    complete(db, worker, conv, org)
    sign_off(db, world.user("north", "manager"), conv, approve=True)
    db.commit()
    assert re.search(r"Record status: Signed off by Manager North on \w{3} \d+ \w{3} \d{4}",
                     _flat(_download(auth, conv.id)))


def test_childs_copy_is_signed_by_the_worker_who_held_it(world, auth, db):  # type: ignore[no-untyped-def]
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    conv = _filled_conversation(db, worker)
    auth.sign_in(manager)
    text = _flat(_download(auth, conv.id, "child"))
    assert "Worker North from Northmoor Council. You can ask to talk to me again." in text
    assert "Manager" not in text


def test_childs_draft_quotes_only_the_childs_own_words(world, auth, client, db):  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    conv = _filled_conversation(db, worker)
    conv.child_summary = None
    db.commit()
    auth.sign_in(world.user("north", "manager"))
    html = client.get(f"/conversations/{conv.id}/summary").get_data(as_text=True)
    draft = re.search(r'<textarea[^>]*name="summary"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "You said: \u201cQchildwords\u201d" in draft
    assert "Qareachildwants" not in draft  # the worker's note of what they want is not quoted
    assert "From Worker" in draft and "Manager" not in draft  # the holder, not the reader


def test_helplines_are_listed_once_in_the_childs_copy(world, auth, client, db):  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    conv = _filled_conversation(db, worker)  # helplines given: a reason to name them twice
    conv.child_summary = None  # so the page offers the draft
    db.commit()
    auth.sign_in(worker)
    html = client.get(f"/conversations/{conv.id}/summary").get_data(as_text=True)
    draft = re.search(r'<textarea[^>]*name="summary"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    r = auth.post(f"/conversations/{conv.id}/summary",
                  {"summary": draft.replace("&#39;", "'").replace("&#34;", '"')})
    assert r.status_code == 302
    text = _flat(_download(auth, conv.id, "child"))
    for once in ("116 000", "0800 1111", "call 999", "Missing People", "Childline"):
        assert text.count(once) == 1, (once, text.count(once))
    conv = db.get(Conversation, conv.id)
    db.refresh(conv)
    conv.child_summary = "We talked about school."
    db.commit()
    text = _flat(_download(auth, conv.id, "child"))  # a summary without them: the copy adds them
    for once in ("116 000", "0800 1111", "call 999"):
        assert text.count(once) == 1, once


def test_no_doubled_full_stops(world, auth, client, db):  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    org = world.orgs["north"].org
    org.name = "Northmoor Care Ltd."
    org.settings = {**(org.settings or {}), "team_contact": "text 07700 900123."}
    conv = _filled_conversation(db, worker)
    auth.sign_in(worker)
    assert ".." not in _download(auth, conv.id, "child")
    other = db.get(Conversation, make_case(db, worker, name="Ash Decliner").conversation.id)
    record_outcome(db, worker, other, "declined", now() - timedelta(hours=1),
                   "Said she did not want to talk.")
    db.commit()
    html = client.get(f"/conversations/{other.id}").get_data(as_text=True)
    assert "did not want to talk. You can offer the conversation again." in html
    assert ".." not in html.replace("...", "")


def test_the_canvas_has_a_box_for_the_childs_own_words(world, auth, client, db):  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=1))
    db.commit()
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="child_words"', page)
    assert "Only the child&#39;s own words, as they said them" in page
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    base = {"csrf_token": csrf_from(page), "base_version": version, "person-count": "0",
            "place-count": "0", "note-count": "0"}
    r = client.post(f"/conversations/{conv.id}/autosave",
                    data={**base, "child_words": "I just want my phone back"})
    assert r.get_json()["status"] == "saved"
    r = client.post(f"/conversations/{conv.id}/autosave",  # a second tab on the old version
                    data={**base, "child_words": "Other tab words"})
    assert r.status_code == 409
    db.expire_all()
    stored = db.get(Conversation, conv.id)
    assert stored.canvas["child_words"] == "I just want my phone back"
    page = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    assert "Other tab words" in page and "I just want my phone back" in page
