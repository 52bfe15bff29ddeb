"""The still-missing list and the senior manager told at 72 hours (issue 13): who sees which
children, how long in words, the in-care meeting due, and the thresholds from the settings."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy import func, select

from rhc_app.domain.uk_time import format_input
from rhc_app.store.models import AuditEvent, Organisation, SeniorManagerNotice, User
from tests.conftest import make_case, now

TOLD = "Yarrow Seniormanager, head of service"


def _section(html: str) -> str:
    return html.split("<h1")[1].split("</main>")[0]


def test_workers_see_the_children_they_can_open_and_managers_see_all(world, auth, client, db):
    worker, other = world.user("north", "worker"), world.user("north", "worker2")
    make_case(db, worker, name="Ivy Stillmissing", found_hours_ago=None,
              reported_hours_ago=52.5, police_risk="high")
    make_case(db, other, name="Oak Colleagueschild", found_hours_ago=None, reported_hours_ago=5)
    make_case(db, worker, name="Elm Foundchild", found_hours_ago=2, reported_hours_ago=20)
    make_case(db, world.user("south", "worker"), name="Fir Otherorg", found_hours_ago=None)
    auth.sign_in(worker)
    html = _section(client.get("/still-missing").get_data(as_text=True))
    assert "Ivy Stillmissing" in html and "2 days 4 hours" in html and "High" in html
    assert "Oak Colleagueschild" not in html and "Elm Foundchild" not in html
    assert "Fir Otherorg" not in html
    auth.sign_out()
    auth.sign_in(world.user("north", "manager"))
    html = _section(client.get("/still-missing").get_data(as_text=True))
    assert "Ivy Stillmissing" in html and "Oak Colleagueschild" in html
    assert html.index("Ivy Stillmissing") < html.index("Oak Colleagueschild")  # longest first
    assert "Fir Otherorg" not in html and "Elm Foundchild" not in html
    listed = db.scalar(select(func.count()).select_from(AuditEvent)
                       .where(AuditEvent.action == "still_missing_listed"))
    assert listed == 2


def test_a_child_in_care_missing_shows_the_meeting_due(world, auth, client, db):
    manager = world.user("north", "manager")
    make_case(db, manager, name="Ash Incare", found_hours_ago=None, reported_hours_ago=100,
              in_care=True)
    make_case(db, manager, name="Bea Athome", found_hours_ago=None, reported_hours_ago=100)
    auth.sign_in(manager)
    html = _section(client.get("/still-missing").get_data(as_text=True))
    in_care = html.split("Ash Incare")[1].split("</tr>")[0]
    at_home = html.split("Bea Athome")[1].split("</tr>")[0]
    assert "Overdue" in in_care and "Not due" in at_home  # day 3 has passed at 100 hours
    team = client.get("/team").get_data(as_text=True).split('id="repeat"')[1].split("<h2")[0]
    assert "Ash Incare" in team and "Bea Athome" not in team


def test_at_72_hours_a_manager_records_who_was_told(world, auth, client, db):
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    long_gone = make_case(db, worker, name="Cy Longmissing", found_hours_ago=None,
                          reported_hours_ago=73)
    make_case(db, worker, name="Di Recentmissing", found_hours_ago=None, reported_hours_ago=71)
    url = f"/episodes/{long_gone.id}/senior-manager-told"
    auth.sign_in(worker)
    html = _section(client.get("/still-missing").get_data(as_text=True))
    assert "Tell a senior manager" in html.split("Cy Longmissing")[1].split("</tr>")[0]
    assert "Tell a senior manager" not in html.split("Di Recentmissing")[1].split("</tr>")[0]
    assert url not in html
    assert client.get(url).status_code == 404  # a worker may not record it
    assert auth.post(url, {"told_name": TOLD, "told_at": format_input(now())},
                     page="/account").status_code == 404
    auth.sign_out()
    auth.sign_in(manager)
    assert url in client.get("/still-missing").get_data(as_text=True)
    r = auth.post(url, {"told_name": "", "told_at": format_input(now() + timedelta(hours=2))})
    html = r.get_data(as_text=True)
    assert "Enter the name of the senior manager who was told" in html
    r = auth.post(url, {"told_name": TOLD, "told_at": format_input(now() + timedelta(hours=2))})
    html = r.get_data(as_text=True)
    assert "must be now or in the past" in html and TOLD in html
    r = auth.post(url, {"told_name": TOLD, "told_at": format_input(now() - timedelta(hours=80))})
    assert "after the child was reported missing" in r.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(SeniorManagerNotice)) == 0
    r = auth.post(url, {"told_name": TOLD, "told_at": format_input(now())})
    assert r.status_code == 302
    notice = db.execute(select(SeniorManagerNotice)).scalar_one()
    assert notice.told_name == TOLD and TOLD.encode() not in notice.told_name_enc
    html = _section(client.get("/still-missing").get_data(as_text=True))
    row = html.split("Cy Longmissing")[1].split("</tr>")[0]
    assert "Told: Yarrow Seniormanager" in row and "Tell a senior manager" not in row
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "senior_manager_told")) == 1


def _admin(world, auth, db):
    secret = pyotp.random_base32()
    admin = world.user("north", "admin")
    db.get(User, admin.id).totp_secret = secret
    db.commit()
    auth.sign_in(admin, code=pyotp.TOTP(secret).now())


def test_the_thresholds_are_organisation_settings(world, auth, client, db):
    worker = world.user("north", "worker")
    make_case(db, worker, name="Gus Fiftyhours", found_hours_ago=None, reported_hours_ago=50)
    _admin(world, auth, db)
    base = {"repeat_threshold": "3", "repeat_window_days": "30"}
    r = auth.post("/admin/settings", {**base, "senior_manager_hours": "0",
                                      "in_care_meeting_day": "30"})
    html = r.get_data(as_text=True)
    assert "Enter a number of hours from 1 to 336" in html and "Enter a day from 1 to 14" in html
    r = auth.post("/admin/settings", {**base, "senior_manager_hours": "48",
                                      "in_care_meeting_day": "2", "decision_working_days": ""})
    assert r.status_code == 302
    org = db.get(Organisation, world.orgs["north"].org.id)
    db.refresh(org)
    assert (org.setting("senior_manager_hours"), org.setting("in_care_meeting_day"),
            org.setting("decision_working_days")) == (48, 2, 5)
    auth.sign_out()
    auth.sign_in(worker)
    html = _section(client.get("/still-missing").get_data(as_text=True))
    assert "Tell a senior manager" in html and "after 48 hours" in html
