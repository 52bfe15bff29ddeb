"""UK time on the pages and in the child's letter: London's date, not the server's or UTC's;
a time typed in the March gap refused next to its field; the October overlap's first 01:30."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from rhc_app.domain.child_summary import draft_summary
from rhc_app.domain.uk_time import LONDON, today_in_london
from rhc_app.services.records import summary_facts
from rhc_app.store.models import Child, Episode
from rhc_app.web.conversations.canvas_form import CanvasInputError, parse
from tests.conftest import make_case


@pytest.fixture
def server_far_from_london():
    """Run the app with the process in a time zone whose date is not London's today (UTC+14
    in the London afternoon, UTC-12 in the morning): what `date.today()` would get wrong."""
    london_hour = datetime.now(LONDON).hour
    zone = "Pacific/Kiritimati" if london_hour >= 12 else "Etc/GMT+12"
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        assert date.today() != today_in_london(), "the test needs the dates to differ"
        yield date.today()
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def _child_form(dob: date) -> dict[str, str]:
    return {"name": "Ember Testchild", "case_reference": "NM-2001",
            "date_of_birth": [str(dob.day), str(dob.month), str(dob.year)],  # the three boxes
            "gender": "female", "in_care": "no"}


def test_a_birth_date_is_checked_against_the_date_in_london(world, auth, db,
                                                           server_far_from_london):
    auth.sign_in(world.user("north", "worker"))
    london = today_in_london()
    r = auth.post("/children/new", _child_form(london + timedelta(days=1)))
    assert r.status_code == 200, r.headers.get("Location")
    assert "Date of birth must be in the past" in r.get_data(as_text=True)
    r = auth.post("/children/new", _child_form(london))  # born today in London is allowed
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert db.execute(select(Child)).scalar_one().date_of_birth == london.isoformat()


def test_the_report_period_ends_today_in_london(world, auth, client, server_far_from_london):
    auth.sign_in(world.user("north", "manager"))
    html = client.get("/reports/risk-factors").get_data(as_text=True)
    assert f'name="to" type="text" value="{today_in_london().isoformat()}"' in html
    assert server_far_from_london.isoformat() not in html


def test_the_childs_letter_has_the_date_in_london(app, world, db):
    worker = world.user("north", "worker")
    episode = make_case(db, worker, found_hours_ago=24 * 400, reported_hours_ago=24 * 401)
    conv = episode.conversation
    conv.held_at = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 BST on Wednesday 1 July
    db.commit()
    facts = summary_facts(conv, worker)
    assert facts.talked_on == date(2026, 7, 1)
    assert "We talked on Wednesday 1 July." in draft_summary(facts)


def _episode_form(reported: str, found: str) -> dict[str, str]:
    return {"reported_missing_at": reported, "found_at": found, "missing_from": "home",
            "police_reference": "KEEP-ME-29"}


def test_a_time_in_the_march_gap_is_refused_and_what_was_typed_kept(world, auth, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    child = make_case(db, worker).child
    url = f"/children/{child.id}/episodes/new"
    r = auth.post(url, _episode_form("2026-03-29T00:15", "2026-03-29T01:30"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "govuk-error-summary" in html
    assert "There was no 01:30 on 29 March 2026 in the UK" in html
    assert 'value="2026-03-29T01:30"' in html and "KEEP-ME-29" in html
    assert db.execute(select(func.count()).select_from(Episode)
                      .where(Episode.child_id == child.id)).scalar_one() == 1  # nothing saved


def test_a_time_in_the_october_overlap_is_saved_as_the_first_one(world, auth, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    child_id = make_case(db, worker).child.id
    r = auth.post(f"/children/{child_id}/episodes/new",
                  _episode_form("2026-10-25T00:45", "2026-10-25T01:30"))
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    db.expire_all()
    found = [e.found_at for e in db.get(Child, child_id).episodes
             if e.police_reference == "KEEP-ME-29"]
    assert found == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]  # 01:30 BST


def test_the_list_says_held_before_found_rather_than_within(world, auth, client, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    episode = make_case(db, worker, found_hours_ago=30)
    episode.conversation.held_at = episode.found_at - timedelta(hours=2)  # a data error
    episode.conversation.outcome = "accepted"
    db.commit()
    html = client.get(f"/conversations/{episode.conversation.id}").get_data(as_text=True)
    assert "Held before the recorded time found: check the times" in html
    assert "Held or closed within 72 hours" not in html


def test_the_canvas_refuses_a_held_time_in_the_march_gap_and_keeps_it():
    posted = MultiDict([("detail-held_at", "2025-03-30T01:15")])
    with pytest.raises(CanvasInputError) as refused:
        parse(posted, set(), set())
    assert refused.value.problems["detail-held_at"].startswith(
        "There was no 01:15 on 30 March 2025 in the UK")
    assert refused.value.canvas["details"]["held_at"] == "2025-03-30T01:15"
    overlap = parse(MultiDict([("detail-held_at", "2025-10-26T01:15")]), set(), set())
    assert overlap["details"]["held_at"] == "2025-10-26T00:15:00+00:00"  # the first 01:15


def test_a_conversation_closed_before_the_time_found_says_so(world, auth, client, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    episode = make_case(db, worker, found_hours_ago=30)
    conv = episode.conversation
    conv.outcome, conv.outcome_at = "not_completed", episode.found_at - timedelta(hours=2)
    db.commit()
    html = client.get(f"/conversations/{conv.id}").get_data(as_text=True)
    assert "Closed before the recorded time found" in html
    assert "Held or closed within 72 hours" not in html
