"""The panel pack and the police intelligence export (issue 16): managers and the exploitation
lead only, children by case reference and never by name, do not share and no consent left
out, the submission recorded as a done action on each conversation and in the audit log."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from rhc_app.domain.uk_time import today_in_london
from rhc_app.services import connections
from rhc_app.services.conversations import record_outcome, save_canvas
from rhc_app.store.models import AuditEvent, Conversation, FollowUpAction
from tests.conftest import Auth, csrf_from, make_case, now
from tests.web.test_connections import JAY, JAY_AGAIN, lead

HIDDEN = {**JAY, "name": "Hidden Magpie (invented)", "do_not_share": "yes"}
REFUSED = {**JAY, "name": "Refused Wren (invented)"}


def _held(db, worker, people, ref, name, consent="yes"):
    episode = make_case(db, worker, ref=ref, name=name, found_hours_ago=3, reported_hours_ago=11)
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    canvas = {"people": list(people), "places": [],
              "details": {"held_at": (now() - timedelta(hours=1)).isoformat(),
                          "consent_to_share": consent}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    return conv


@pytest.fixture
def four(world, db):
    worker, worker2 = world.user("north", "worker"), world.user("north", "worker2")
    convs = {"yes1": _held(db, worker, [JAY], "PN-101", "Alder Testchild"),
             "yes2": _held(db, worker2, [JAY_AGAIN], "PN-102", "Birch Testchild"),
             "no": _held(db, worker, [REFUSED], "PN-103", "Cedar Testchild", consent="no"),
             "hidden": _held(db, worker2, [HIDDEN], "PN-104", "Damson Testchild")}
    org = world.orgs["north"].org.id
    (conn,) = connections.all_connections(db, org, now() - timedelta(days=90), now() + timedelta(hours=1))
    return convs, conn


def _text(data: bytes) -> tuple[str, list[str]]:
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    return " ".join(" ".join(pages).split()), pages  # table cells wrap: compare words


NAMES = ("Alder", "Birch", "Cedar", "Damson", "Testchild")


def test_the_panel_pack_names_children_by_case_reference_only(world, db, auth, client, four):
    convs, _conn = four
    manager = world.user("north", "manager")
    auth.sign_in(manager)
    page = client.get("/connections").get_data(as_text=True)
    link = re.search(r'href="(/connections/panel-pack\?[^"]+)"', page)
    assert link and "Download the panel pack (PDF)" in page
    r = client.get(link.group(1).replace("&amp;", "&"))
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert re.search(r"rhc-panel-pack-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.pdf", disposition)
    text, pages = _text(r.data)
    assert "PN-101" in text and "PN-102" in text and "Jaybird (invented)" in text
    assert not any(n in text for n in NAMES)
    assert "PN-103" not in text and "Refused Wren" not in text  # no consent: a count only
    assert "1 mention left out: the child did not consent" in text
    assert "PN-104" not in text and "Hidden Magpie" not in text  # do not share: left out
    for n, page_text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page_text and f"Page {n} of {len(pages)}" in page_text
    events = db.execute(select(AuditEvent).where(AuditEvent.action == "panel_pack")).scalars()
    (event,) = list(events)
    assert event.user_id == manager.id and " to " in event.detail
    opened = {e.record_id for e in db.execute(select(AuditEvent).where(
        AuditEvent.action == "panel_pack_opened")).scalars()}
    assert opened == {convs["yes1"].id, convs["yes2"].id}


@pytest.mark.parametrize("who", ["worker", "worker2"])
def test_workers_are_answered_404(world, db, app, four, who):
    _convs, conn = four
    client = app.test_client()
    Auth(client).sign_in(world.user("north", who))
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert client.get("/connections/panel-pack").status_code == 404
    base = f"/connections/{conn.token}/police-intelligence"
    assert client.get(base + "?format=csv").status_code == 404
    assert client.post(base, data={"csrf_token": token}).status_code == 404
    assert db.execute(select(FollowUpAction)).scalars().all() == []


def test_a_connection_page_says_what_is_left_out(world, db, auth, client, four):
    _convs, conn = four
    auth.sign_in(world.user("north", "manager"))
    page = client.get(f"/connections/{conn.token}").get_data(as_text=True)
    assert "1 mention left out: the child did not consent to sharing with police" in page
    assert "Record as police intelligence" in page


def _submit(client, conn):
    page = client.get(f"/connections/{conn.token}").get_data(as_text=True)
    return client.post(f"/connections/{conn.token}/police-intelligence",
                       data={"csrf_token": csrf_from(page)})


def test_the_submission_is_an_action_on_each_conversation(world, db, auth, client, four):
    convs, conn = four
    manager = world.user("north", "manager")
    auth.sign_in(manager)
    r = _submit(client, conn)
    assert r.status_code == 302 and f"/connections/{conn.token}" in r.headers["Location"]
    actions = db.execute(select(FollowUpAction)).scalars().all()
    assert {a.conversation_id for a in actions} == {convs["yes1"].id, convs["yes2"].id}
    day = today_in_london()
    for a in actions:
        assert (a.kind, a.status, a.owner_id) == ("police_intelligence", "done", manager.id)
        assert a.outcome.startswith("Submitted as police intelligence on ")
        assert str(day.year) in a.outcome
    assert db.execute(select(AuditEvent).where(
        AuditEvent.action == "police_intelligence")).scalars().one().user_id == manager.id
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Recorded as police intelligence on 2 conversations" in page


def test_a_lead_who_cannot_open_the_conversation_makes_its_worker_the_owner(
        world, db, app, four):
    convs, conn = four
    client = app.test_client()
    member = lead(world, db)
    Auth(client).sign_in(member)
    assert _submit(client, conn).status_code == 302
    owners = {a.conversation_id: a.owner_id
              for a in db.execute(select(FollowUpAction)).scalars()}
    assert owners == {convs["yes1"].id: world.user("north", "worker").id,
                      convs["yes2"].id: world.user("north", "worker2").id}


def test_the_csv_has_its_columns_and_leaves_out_what_may_not_be_shared(
        world, db, auth, client, four):
    convs, conn = four
    auth.sign_in(world.user("north", "manager"))
    r = client.get(f"/connections/{conn.token}/police-intelligence?format=csv")
    assert r.status_code == 200 and "rhc-police-intelligence-" in r.headers[
        "Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert list(rows[0]) == ["connection", "matched_by", "person_or_place", "name",
                             "description_or_area", "mentioned_on", "case_reference"]
    assert sorted(r["case_reference"] for r in rows) == ["PN-101", "PN-102"]
    assert {r["name"] for r in rows} == {"Jaybird (invented)", "JB (invented)"}
    assert all("Same phone number" in r["matched_by"] for r in rows)
    read = {e.record_id for e in db.execute(select(AuditEvent).where(
        AuditEvent.action == "police_intelligence_downloaded")).scalars()}
    assert read == {convs["yes1"].id, convs["yes2"].id}


def test_the_police_pdf_holds_case_references_and_no_names(world, db, auth, client, four):
    _convs, conn = four
    auth.sign_in(world.user("north", "manager"))
    r = client.get(f"/connections/{conn.token}/police-intelligence?format=pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text, _pages = _text(r.data)
    assert "PN-101" in text and "PN-102" in text and "OFFICIAL-SENSITIVE" in text
    assert not any(n in text for n in NAMES)
    assert "PN-103" not in text and "PN-104" not in text and "Hidden Magpie" not in text
    assert "1 mention left out: the child did not consent to sharing with police" in text
    assert client.get(f"/connections/{conn.token}/police-intelligence?format=doc"
                      ).status_code == 404


def test_a_hotspot_a_child_asked_to_keep_keeps_its_counts_but_not_its_name(
        world, db, auth, client):
    garage = {"name": "The blue garage (invented)", "area": "M1 2AB"}
    worker = world.user("north", "worker")
    for n, entry in enumerate([garage, {**garage, "do_not_share": "yes"}]):
        episode = make_case(db, worker, ref=f"PN-20{n}", name="Elm Testchild")
        conv = db.get(Conversation, episode.conversation.id)
        record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
        assert save_canvas(db, worker, conv, {"people": [], "places": [entry], "details": {
            "held_at": (now() - timedelta(hours=1)).isoformat()}}, conv.version).applied
        db.commit()
    auth.sign_in(world.user("north", "manager"))
    text, _pages = _text(client.get("/connections/panel-pack").data)
    assert "blue garage" not in text and "Withheld: a child asked for it not to be shared" in text
    assert "Elm" not in text
