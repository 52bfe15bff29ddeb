"""A person or place the child asked not to be shared: ticked on the canvas, kept with the
entry, and left out of the record the documents are built from."""

from __future__ import annotations

from datetime import timedelta

from werkzeug.datastructures import MultiDict

from rhc_app.services.conversations import complete, record_outcome, save_canvas
from rhc_app.services.records import canvas_parts
from rhc_app.store.models import Conversation
from rhc_app.web.conversations.canvas_form import parse
from tests.conftest import make_case, now


def test_the_box_is_kept_with_its_entry_and_left_out_of_exports():
    canvas = parse(MultiDict([
        ("person-count", "2"), ("person-0-name", "Jay (invented)"),
        ("person-0-do_not_share", "1"), ("person-1-name", "Sam (invented)"),
        ("place-count", "1"), ("place-0-name", "The den (invented)"),
        ("place-0-do_not_share", "1")]), set(), set())
    assert [p.get("do_not_share", "") for p in canvas["people"]] == ["yes", ""]
    assert canvas["places"][0]["do_not_share"] == "yes"
    parts = canvas_parts(canvas)
    assert [p.name for p in parts.people] == ["Sam (invented)"]
    assert parts.places == []


def test_the_canvas_page_offers_the_box_for_each_person(world, db, auth, client):
    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    people = [{"name": "Jay (invented)", "do_not_share": "yes"}, {"name": "Sam (invented)"}]
    assert save_canvas(db, worker, conv, {"people": people}, conv.version).applied
    db.commit()
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    assert page.count('name="person-0-do_not_share"') == 1
    assert 'name="person-1-do_not_share"' in page
    box = page.split('name="person-0-do_not_share"')[1][:200]
    assert "checked" in box
    assert "checked" not in page.split('name="person-1-do_not_share"')[1][:200]


def test_the_record_page_says_do_not_share_only_where_the_child_asked(world, db, auth, client):
    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    people = [{"name": "Jay (invented)", "do_not_share": "yes"}, {"name": "Sam (invented)"}]
    details = {"held_at": (now() - timedelta(hours=1)).isoformat(), "consent_to_share": "yes"}
    assert save_canvas(db, worker, conv, {"people": people, "details": details},
                       conv.version).applied
    complete(db, worker, conv, worker.organisation)  # read only: shown as the record
    db.commit()
    auth.sign_in(worker)
    page = client.get(f"/conversations/{conv.id}/canvas").get_data(as_text=True)
    assert "Sam (invented)" in page
    assert page.count("Do not share") == 1


def test_the_police_pdf_leaves_out_what_the_child_asked_not_to_share(world, db, auth):
    from tests.web.test_record_contents import _download, _flat

    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    canvas = {"people": [{"name": "Qhiddenperson", "do_not_share": "yes"},
                         {"name": "Qsharedperson"}],
              "places": [{"name": "Qhiddenplace", "do_not_share": "yes"},
                         {"name": "Qsharedplace"}],
              "details": {"held_at": (now() - timedelta(hours=1)).isoformat(),
                          "consent_to_share": "yes"}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    complete(db, worker, conv, worker.organisation)
    db.commit()
    auth.sign_in(world.user("north", "manager"))
    text = _flat(_download(auth, conv.id))
    assert "Qsharedperson" in text and "Qsharedplace" in text
    assert "Qhiddenperson" not in text and "Qhiddenplace" not in text
