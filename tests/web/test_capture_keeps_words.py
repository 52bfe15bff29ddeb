"""Nothing typed is lost (issue 10), through the web app without a browser: Complete carries
the canvas, an over-long box comes back whole and named, "Add a person/place" redirect, and
a real conflict is shown in the worker's words."""

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversations import record_outcome, save_canvas
from rhc_app.store.models import Conversation
from rhc_app.web.conversations.canvas_labels import label_for
from rhc_app.web.filters import local_input
from tests.conftest import csrf_from, make_case, now


@pytest.fixture
def started(world, auth, db):
    """A conversation the child accepted, the worker signed in: (conversation id, worker)."""
    worker = world.user("north", "worker")
    episode = make_case(db, worker)
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    db.commit()
    auth.sign_in(worker)
    return conv.id, worker


def _form(client, conv_id, **fields):
    page = client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    return {"csrf_token": csrf_from(page), "base_version": version, "person-count": "0",
            "place-count": "0", "note-count": "0", **fields}


def _stored(db, conv_id):
    db.rollback()
    db.expire_all()
    return db.get(Conversation, conv_id)


@pytest.mark.parametrize("name, label", [
    ("area-themes", "Themes"), ("area-worker_analysis", "Worker's analysis"),
    ("detail-how_got_home", "How they got home, and who brought them"),
    ("person-0-concern", "Person 1 concern"), ("place-2-name", "Place 3 name or description"),
    ("note-1-text", "Note 2"), ("scratch", "Quick note"), ("actions_detail", "Details of actions"),
])
def test_every_box_has_the_label_the_worker_sees(name, label):
    assert label_for(name) == label


def test_complete_saves_what_is_on_screen_first(started, client, db):
    conv_id, _ = started
    held = local_input(now() - timedelta(hours=1))
    r = client.post(f"/conversations/{conv_id}/complete", data=_form(
        client, conv_id, **{"area-pull_factors": "LAST WORDS", "detail-held_at": held,
                            "detail-consent_to_share": "no"}))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/conversations/{conv_id}")
    conv = _stored(db, conv_id)
    assert conv.canvas["areas"]["pull_factors"] == "LAST WORDS"
    assert conv.status == "completed"


def test_complete_refused_keeps_the_last_words(started, client, db):
    conv_id, _ = started
    r = client.post(f"/conversations/{conv_id}/complete",
                    data=_form(client, conv_id, **{"area-pull_factors": "LAST WORDS"}))
    assert r.status_code == 302  # back to the canvas: held at and consent are still missing
    conv = _stored(db, conv_id)
    assert conv.canvas["areas"]["pull_factors"] == "LAST WORDS"
    assert conv.status == "in_progress"
    assert "Enter when the conversation was held" in client.get(r.headers["Location"]).get_data(
        as_text=True)


def test_an_over_long_box_comes_back_whole_and_named(started, client, db):
    conv_id, _ = started
    long_text = "Said she was scared of him. " * 2143  # 60,004 characters
    r = client.post(f"/conversations/{conv_id}/canvas", data=_form(
        client, conv_id, **{"area-themes": long_text, "area-victims": "Nobody hurt her",
                            "detail-location": "At the library"}))
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    message = f"Themes must be 50,000 characters or fewer (it has {len(long_text):,})"
    assert re.search(r'<a href="#area-themes"[^>]*>\s*' + re.escape(message), page)
    assert re.search(r'<textarea[^>]*id="area-themes"[^>]*>\s*' + re.escape(long_text) +
                     r"</textarea>", page)
    assert "Nobody hurt her" in page and "At the library" in page
    assert 'data-module="govuk-character-count"' in page and 'data-maxlength="50000"' in page
    assert _stored(db, conv_id).canvas["areas"]["themes"] == ""


@pytest.mark.parametrize("button, kind", [("add_person", "person"), ("add_place", "place")])
def test_adding_a_row_redirects_to_it_and_a_reload_is_no_conflict(started, client, db, button,
                                                                   kind):
    conv_id, _ = started
    r = client.post(f"/conversations/{conv_id}/canvas", data=_form(
        client, conv_id, **{"area-victims": "Nobody hurt her", "action": button}))
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/canvas?add={kind}#{kind}-0")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f'id="{kind}-0"' in page and f'name="{kind}-count" value="1"' in page
    # The worker types in the new row; the autosave is based on the version the page showed.
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    r = client.post(f"/conversations/{conv_id}/autosave", data={
        "csrf_token": csrf_from(page), "base_version": version, f"{kind}-count": "1",
        f"{kind}-0-name": "Flat above the takeaway (invented)",
        "area-victims": "Nobody hurt her"})
    assert r.get_json()["status"] == "saved"
    again = client.get(f"/conversations/{conv_id}/canvas?add={kind}").get_data(as_text=True)
    assert "Someone else saved" not in again
    assert "Flat above the takeaway (invented)" in again
    assert _stored(db, conv_id).canvas[{"person": "people", "place": "places"}[kind]] == [
        {**dict.fromkeys(("name", "area", "slept_there", "concern") if kind == "place" else
                         ("name", "description", "approximate_age", "relationship", "concern"),
                         ""), "name": "Flat above the takeaway (invented)"}]


def test_a_real_conflict_is_shown_in_the_workers_words(started, client, db):
    conv_id, worker = started
    conv = db.get(Conversation, conv_id)
    theirs = empty_canvas()
    held = now().replace(second=0) - timedelta(hours=1)
    theirs["details"].update(method="face_to_face", held_at=held.isoformat())
    theirs["areas"]["victims"] = "Same in both"
    theirs["places"] = [{"name": "The park (invented)", "area": "", "slept_there": "",
                         "concern": ""}]
    stale = conv.version
    assert save_canvas(db, worker, conv, theirs, stale).applied
    db.commit()
    r = client.post(f"/conversations/{conv_id}/canvas", data={
        **_form(client, conv_id), "base_version": str(stale), "detail-method": "phone",
        "area-victims": "Same in both", "area-themes": "Mine only"})
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    theirs_notes = re.findall(r'<div class="govuk-inset-text rhc-theirs[^>]*>(.*?)</div>', page,
                              re.S)
    shown = [html.unescape(re.sub(r"<[^>]+>", "", n)) for n in theirs_notes]
    # Only what differs: how (face to face), when (London time), themes (empty).
    london = held.astimezone(ZoneInfo("Europe/London")).strftime("%a %-d %b %Y, %H:%M")
    assert sorted(shown) == sorted(["The other saved version: Face to face",
                                    f"The other saved version: {london}",
                                    "The other saved version: (empty)"])
    assert "face_to_face" not in " ".join(theirs_notes) and "&lt;strong&gt;" not in page
    lists = re.search(r'<dl[^>]*id="conflict-lists".*?</dl>', page, re.S).group(0)
    assert "The park (invented)" in lists and "Places" in lists and "People" not in lists
