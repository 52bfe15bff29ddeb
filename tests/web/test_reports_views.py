"""Managers' pages: the dashboard, the quarterly and risk-factor reports, the upload."""

import io

from pypdf import PdfReader
from sqlalchemy import func, select

from rhc_app.store.models import Episode, Organisation
from tests.conftest import make_case
from tests.services.test_import_reports import EXPECTED_ALL, HEADER, ROWS


def _upload(auth, body: bytes):
    return auth.post("/reports/import", {"file": (io.BytesIO(body), "episodes.csv")},
                     content_type="multipart/form-data")


def test_workers_and_admins_cannot_see_reports(world, auth, client, db):
    import pyotp

    from rhc_app.store.models import User
    secret = pyotp.random_base32()
    db.get(User, world.user("north", "admin").id).totp_secret = secret
    db.commit()
    for who in ("worker", "admin"):
        auth.sign_in(world.user("north", who), code=pyotp.TOTP(secret).now() if who == "admin" else "")
        for url in ("/team", "/reports/quarterly", "/reports/risk-factors", "/reports/import"):
            assert client.get(url).status_code == 404, (who, url)
        auth.sign_out()


def test_dashboard_shows_overdue_unallocated_and_repeat(world, auth, client, db):
    worker = world.user("north", "worker")
    manager = world.user("north", "manager")
    make_case(db, worker, name="Wren Overdue", found_hours_ago=80, reported_hours_ago=90)
    for hours in (200, 300, 400):
        make_case(db, manager, name="Sol Repeat", ref="REP-1", found_hours_ago=hours - 5,
                  reported_hours_ago=hours)
    make_case(db, world.user("south", "worker"), name="Other Orgchild")
    auth.sign_in(manager)
    html = client.get("/team").get_data(as_text=True)
    overdue = html.split('id="overdue"')[1].split('id="due-soon"')[0]
    assert "Wren Overdue" in overdue and "Worker North" in overdue
    unallocated = html.split('id="unallocated"')[1].split('id="repeat"')[0]
    assert "Sol Repeat" in unallocated and "oldest waiting" in unallocated
    repeat = html.split('id="repeat"')[1].split('id="no-found"')[0]
    assert repeat.count("Sol Repeat") == 1
    assert "Other Orgchild" not in html


def test_dashboard_repeat_uses_the_organisations_window(world, auth, client, db):
    org = db.get(Organisation, world.orgs["north"].org.id)
    org.settings = {**(org.settings or {}), "repeat_threshold": 3, "repeat_window_days": 60}
    manager = world.user("north", "manager")
    for days in (50, 40, 10):  # three in 60 days, never three in 30
        latest = make_case(db, manager, name="Ash Windowed", ref="REP-60",
                           found_hours_ago=days * 24 - 5, reported_hours_ago=days * 24)
    auth.sign_in(manager)
    html = client.get("/team").get_data(as_text=True)
    assert "Ash Windowed" in html.split('id="repeat"')[1].split('id="no-found"')[0]
    # The flag the worker sees says the window it counted over.
    html = client.get(f"/conversations/{latest.conversation.id}").get_data(as_text=True)
    assert "3 episodes in 60 days" in html and "in 30 days" not in html


def test_upload_then_quarterly_page_csv_and_pdf(world, auth, client, db):
    auth.sign_in(world.user("north", "manager"))
    bad = (HEADER + "\n" + ROWS[0].replace(",yes,", ",maybe,")).encode()
    r = _upload(auth, bad)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "nothing was imported" in html and "in_care" in html
    assert db.scalar(select(func.count()).select_from(Episode)) == 0
    r = _upload(auth, (HEADER + "\n" + "\n".join(ROWS)).encode())
    assert r.status_code == 302
    html = client.get("/reports/quarterly?year=2024").get_data(as_text=True)
    assert "<svg" in html and "2023/24 (the year before)" in html
    assert "66.7%" in html
    csv_text = client.get("/reports/quarterly?year=2024&format=csv&cohort=all").get_data(as_text=True)
    # The download is for the committee: counts of 1 to 4 are suppressed (the page is exact).
    assert EXPECTED_ALL[0] == ["No. Missing Children", "3", "1", "0", "2", "5"]
    assert csv_text.splitlines()[1] == "No. Missing Children,<5,<5,0,<5,5"
    assert "Counts below 5 (other than 0) are shown as '<5'" in csv_text
    pdf = client.get("/reports/quarterly?year=2024&format=pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "OFFICIAL-SENSITIVE" in text and "No. Missing Episodes" in text
    html = client.get("/reports/risk-factors?from=2024-04-01&to=2025-03-31").get_data(as_text=True)
    assert "Risk of involvement in criminal activities whilst missing" in html
    assert "Missing children (5)" in html
    assert client.get("/reports/risk-factors?from=2025-01-01&to=2024-01-01").status_code == 400
