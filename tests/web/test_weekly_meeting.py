"""The weekly missing meeting for a chosen week: who went missing (with episodes in 30 and 90
days and care status), who is still missing, conversations not offered within 72 hours, and
what changed since last week; the page and its PDF, audited; workers and admins refused."""

import io
import re
from datetime import UTC, datetime

import pyotp
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from rhc_app.store.models import AuditEvent, Conversation, Episode, User
from tests.conftest import make_case

WEEK = "2026-11-02"  # Monday 2 to Sunday 8 November 2026 (GMT)


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _episode(db, holder, ref, reported, found=None, offered=None, in_care=False):
    episode = make_case(db, holder, name=f"Name of {ref}", ref=ref, in_care=in_care)
    e = db.get(Episode, episode.id)
    e.reported_missing_at, e.found_at, e.in_care = reported, found, in_care
    conv = db.get(Conversation, episode.conversation.id)
    if offered:
        conv.offered_at, conv.status = offered, "offered"
    db.commit()
    return conv.id


@pytest.fixture
def meeting(world, db):
    worker = world.user("north", "worker")
    for reported in (at(3), at(4), at(20, month=10), at(20, month=8)):
        _episode(db, worker, "WK-A", reported, found=reported, offered=reported, in_care=True)
    _episode(db, worker, "WK-B", at(5))  # still missing
    late = _episode(db, worker, "WK-C", at(30, month=10), found=at(31, month=10),
                    offered=at(4))  # 72 hours ended on 3 November, offered on the 4th
    _episode(db, worker, "WK-D", at(30, month=10), found=at(31, 12, month=10), offered=at(1))
    _episode(db, world.user("south", "worker"), "SOUTH-9", at(4))
    return {"late": late}


def _section(html: str, key: str) -> str:
    return html.split(f'id="{key}"')[1].split("<h2")[0]


def test_the_week_page_shows_each_section(world, auth, client, db, meeting):
    auth.sign_in(world.user("north", "manager"))
    r = client.get("/reports/weekly?week=2026-11-05")  # any day picks its week
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Week of 2 November 2026 to 8 November 2026" in html
    assert "SOUTH-9" not in html and "Name of" not in html
    went = _section(html, "went-missing")
    assert "Children who went missing (2)" in html
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", went.split("WK-A")[1].split("</tr>")[0])
    assert cells == ["2", "3", "4", "In care"]
    assert "WK-B" in went and "WK-C" not in went
    assert "WK-B" in _section(html, "still-missing") and "WK-A" not in _section(html, "still-missing")
    late = _section(html, "not-offered-in-time")
    assert "WK-C" in late and "WK-D" not in late and f"/conversations/{meeting['late']}" in late
    changes = _section(html, "changes")
    row = changes.split("Children who went missing")[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["2", "2", "No change"]
    row = changes.split("Missing episodes reported")[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["3", "2", "Up 1"]
    assert 'week=2026-10-26' in html and 'week=2026-11-09' in html
    event = db.execute(select(AuditEvent).where(AuditEvent.action == "report_weekly_meeting")
                       ).scalar_one()
    assert event.detail == "2026-11-02 page"


def test_the_meeting_paper_pdf(world, auth, client, db, meeting):
    auth.sign_in(world.user("north", "manager"))
    r = client.get(f"/reports/weekly?week={WEEK}&format=pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert "rhc-weekly-meeting-2026-11-02.pdf" in disposition and "WK-" not in disposition
    pages = PdfReader(io.BytesIO(r.data)).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    for expected in ("Weekly missing meeting", "Children who went missing (2)",
                     "Children still missing", "Conversations not offered within 72 hours (1)",
                     "What changed since last week", "WK-A", "WK-B", "WK-C", "Up 1"):
        assert expected in text, expected
    assert "SOUTH-9" not in text and "Name of" not in text
    for page in pages:
        assert page.extract_text().count("OFFICIAL-SENSITIVE") >= 1
    assert f"Page 1 of {len(pages)}" in text
    actions = db.execute(select(AuditEvent.detail).where(
        AuditEvent.action == "report_weekly_meeting")).scalars().all()
    assert actions == ["2026-11-02 pdf"]


def test_choosing_a_week_by_date_and_bad_dates(world, auth, client, db):
    auth.sign_in(world.user("north", "manager"))
    r = client.get("/reports/weekly?day=8&day=11&day=2026")
    assert r.status_code == 200 and "week=2026-10-26" in r.get_data(as_text=True)
    r = client.get("/reports/weekly?day=31&day=2&day=2026")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "govuk-error-summary" in html and "must be a real date" in html
    assert 'value="31"' in html  # what was typed is given back
    assert client.get("/reports/weekly?week=nonsense").status_code == 400
    assert client.get(f"/reports/weekly?week={WEEK}&format=exe").status_code == 400
    assert client.get(f"/reports/weekly?week={WEEK}&format=csv").status_code == 400
    # only the week shown was audited, never a refused request
    assert db.execute(select(AuditEvent.detail).where(
        AuditEvent.action == "report_weekly_meeting")).scalars().all() == ["2026-11-02 page"]


def test_workers_and_admins_are_refused_the_meeting(world, auth, client, db, meeting):
    secret = pyotp.random_base32()
    db.get(User, world.user("north", "admin").id).totp_secret = secret
    db.commit()
    for who in ("worker", "admin"):
        auth.sign_in(world.user("north", who), code=pyotp.TOTP(secret).now() if who == "admin" else "")
        for url in (f"/reports/weekly?week={WEEK}", f"/reports/weekly?week={WEEK}&format=pdf"):
            assert client.get(url).status_code == 404, (who, url)
        auth.sign_out()


def test_decisions_due_and_actions_overdue_as_they_stood_at_the_end_of_the_week(
        world, auth, client, db, meeting):
    from datetime import date

    from rhc_app.services.strategy import DecisionDetails, record_decision
    from rhc_app.store.models import Child, FollowUpAction

    manager, worker = world.user("north", "manager"), world.user("north", "worker")
    late = db.get(Conversation, meeting["late"])
    org_id = late.organisation_id
    db.add_all([
        FollowUpAction(organisation_id=org_id, conversation_id=late.id, kind="health",
                       owner_id=worker.id, due_on=date(2026, 11, 3), status="open",
                       created_at=at(1)),
        # Done on the 4th: not overdue at the end of the week, though it was due on the 2nd.
        FollowUpAction(organisation_id=org_id, conversation_id=late.id, kind="education",
                       owner_id=worker.id, due_on=date(2026, 11, 2), status="done",
                       created_at=at(1), closed_at=at(4))])
    db.commit()
    # WK-A's third episode in 30 days (4 November) asks for a decision; one recorded today,
    # after the week, does not change how the week stood.
    child = db.execute(select(Child).where(Child.organisation_id == org_id)).scalars().all()
    wk_a = next(c for c in child if c.case_reference == "WK-A")
    record_decision(db, manager, wk_a, DecisionDetails("not_needed", reason="Safety plan works"))
    db.commit()
    auth.sign_in(manager)
    html = client.get(f"/reports/weekly?week={WEEK}").get_data(as_text=True)
    decisions = _section(html, "decisions-due")
    assert "WK-A" in decisions and "Decision due" in decisions and "WK-B" not in decisions
    overdue = _section(html, "actions-overdue")
    assert "Health" in overdue and "Education" not in overdue and "WK-C" in overdue
    changes = _section(html, "changes")
    row = changes.split("Actions and referrals overdue")[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["1", "0", "Up 1"]
