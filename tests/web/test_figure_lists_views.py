"""The list behind a figure, as a manager opens it from the quarterly and team pages; workers
and administrators are refused, and malformed links are refused before anything is audited."""

import html as html_lib
import io
import re
from datetime import UTC, datetime, timedelta

import pyotp
from pypdf import PdfReader
from sqlalchemy import func, select

from rhc_app.store.models import AuditEvent, User
from tests.conftest import make_case


def _links(page: str, prefix: str) -> list[str]:
    return [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)"', page)
            if h.startswith(prefix)]


def _audits(db, action: str) -> int:
    n = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))
    db.commit()
    return int(n)


def test_a_figure_on_the_team_page_opens_its_list(world, auth, client, db):
    worker = world.user("north", "worker")
    make_case(db, worker, name="Fen Listed", ref="LIST-1", reported_hours_ago=30)
    make_case(db, world.user("south", "worker"), ref="SOUTH-1")
    auth.sign_in(world.user("north", "manager"))
    team = client.get("/team").get_data(as_text=True)
    timeliness = team.split('id="timeliness"')[1]
    assert "Worker North" in timeliness and "Episodes: 1" in timeliness
    month = (datetime.now(UTC) - timedelta(hours=30)).date().replace(day=1)
    link = next(h for h in _links(timeliness, "/reports/figures?")
                if "figure=episodes" in h and f"worker={worker.id}" in h and f"start={month}" in h)
    before = _audits(db, "figure_listed")
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "LIST-1" in text and "SOUTH-1" not in text and "Missing episodes: 1" in text
    assert "Fen Listed" not in text  # the list names the case, not the child
    assert _audits(db, "figure_listed") == before + 1
    event = db.execute(select(AuditEvent).where(AuditEvent.action == "figure_listed")).scalars().all()[-1]
    assert event.user_id == world.user("north", "manager").id and event.record_id == "episodes"


def test_every_quarterly_figure_links_to_a_list_of_that_length(world, auth, client, db):
    for hours in (30, 60, 900):
        make_case(db, world.user("north", "worker"), ref=f"Q-{hours}", reported_hours_ago=hours)
    auth.sign_in(world.user("north", "manager"))
    now = datetime.now(UTC)
    year = now.year if now.month >= 4 else now.year - 1
    page = client.get(f"/reports/quarterly?year={year}").get_data(as_text=True)
    assert "RHC Offered Within 72 Hours" in page
    cells = re.findall(r'<a class="govuk-link" href="(/reports/figures\?[^"]+)">([^<]+)<', page)
    # 2 cohorts x 2 years x 10 measures x 5 columns, percentages linking to their numerator
    assert len(cells) == 200
    counts = [(h, n) for h, n in cells[:50] if n.isdigit()]
    assert len(counts) == 35 and sum(int(n) for _h, n in counts) > 0
    for href, shown in counts:  # this year's, all children: every count's list agrees
        listed = client.get(html_lib.unescape(href)).get_data(as_text=True)
        assert re.search(r"<h1[^>]*>[^<]*: (\d+)</h1>", listed).group(1) == shown, href


def test_workers_and_admins_are_refused_the_lists(world, auth, client, db):
    secret = pyotp.random_base32()
    db.get(User, world.user("north", "admin").id).totp_secret = secret
    db.commit()
    today = datetime.now(UTC).date()
    url = f"/reports/figures?figure=episodes&start={today - timedelta(days=9)}&end={today}"
    for who in ("worker", "admin"):
        code = pyotp.TOTP(secret).now() if who == "admin" else ""
        auth.sign_in(world.user("north", who), code=code)
        assert client.get(url).status_code == 404, who
        auth.sign_out()
    assert _audits(db, "figure_listed") == 0


def test_malformed_links_are_refused_and_not_audited(world, auth, client, db):
    auth.sign_in(world.user("north", "manager"))
    for url in ("/reports/figures?figure=episodes&start=2024-04-01&end=nonsense",
                "/reports/figures?figure=episodes&start=2024-04-01&end=2024-03-01",
                "/reports/figures?figure=episodes&start=2024-04-01&end=2024-06-30&cohort=some",
                "/reports/figures?figure=episodes&start=2024-04-01&end=2024-06-30&worker=<script>"):
        assert client.get(url).status_code == 400, url
    assert client.get("/reports/figures?figure=names&start=2024-04-01&end=2024-06-30").status_code == 404
    assert _audits(db, "figure_listed") == 0


def test_the_committee_paper_shows_offered_within_72_hours_with_small_counts_hidden(
        world, auth, client, db):
    make_case(db, world.user("north", "worker"), ref="PDF-1", reported_hours_ago=30)
    auth.sign_in(world.user("north", "manager"))
    now = datetime.now(UTC)
    year = now.year if now.month >= 4 else now.year - 1
    pdf = client.get(f"/reports/quarterly?year={year}&format=pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "RHC Offered Within 72 Hours" in text and "% Offered Within 72 Hours" in text
    assert "Offered within 72 hours: offered no more than 72 hours" in text
    csv_text = client.get(f"/reports/quarterly?year={year}&format=csv&cohort=all").get_data(as_text=True)
    assert "Offered Within" not in csv_text  # the CSV is the table as Gateshead publishes it


def test_the_timeliness_links_are_url_for_s(world, auth, client, db, app):
    """The team page builds the figure lists' path once (common.query_links_to) and encodes
    each link's query as url_for does: the same addresses, odd values and None included."""
    from flask import url_for

    from rhc_app.web.common import query_links_to

    worker = world.user("north", "worker")
    make_case(db, worker, found_hours_ago=10, reported_hours_ago=20)
    auth.sign_in(world.user("north", "manager"))
    timeliness = client.get("/team").get_data(as_text=True).split('id="timeliness"')[1]
    links = _links(timeliness, "/reports/figures?")
    assert links
    with app.test_request_context():
        link = query_links_to("reports.figure_list")
        for odd in ("a b", "x/y?z&w#v=1", "é€", "%41", "+;:@!$'()*,", None, ""):
            values = {"figure": "within", "start": "2026-01-01", "end": "2026-01-31",
                      "worker": odd}
            assert link(**values) == url_for("reports.figure_list", **values), odd
        assert link() == url_for("reports.figure_list")
        assert any(h.startswith(url_for("reports.figure_list", figure="episodes"))
                   for h in links)


def test_the_timeliness_table_is_rendered_once_and_again_after_a_change(world, auth, client,
                                                                      db, app):
    """The team page's timeliness table is rendered once for the counts kept_figures keeps
    (web/reports/team.py), and again as soon as a new episode changes them."""
    worker = world.user("north", "worker")
    make_case(db, worker, found_hours_ago=10, reported_hours_ago=20)
    auth.sign_in(world.user("north", "manager"))

    def table() -> str:
        html = client.get("/team").get_data(as_text=True)
        return html.split('id="timeliness"')[1].split("</table>")[0]

    before = table()
    tables = app.extensions["rhc_timeliness_tables"]
    (kept,) = tables.values()
    assert table() == before and tables[next(iter(tables))] is kept  # reused, not redrawn
    make_case(db, worker, found_hours_ago=5, reported_hours_ago=8)
    after = table()
    assert after != before and "Episodes: 2" in after and "Episodes: 2" not in before
