"""A manager imports the standard dataset through the upload page (a bad file first, then a
good one), then reads the team dashboard, the quarterly figures (tables and charts) and the
risk-factor report, and downloads the quarterly CSV and the committee paper. Every page is
checked with axe and for sideways scrolling at tablet and phone size; the downloads are
checked at tablet size."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rhc_app.domain.disclosure import DEFAULT_THRESHOLD, count_cell
from rhc_app.domain.figures import MEASURES
from tests.services.test_import_reports import EXPECTED_ALL, HEADER, ROWS

from .conftest import check_page, open_and_sign_in
from .helpers import download, go_to, pdf_pages

pytestmark = pytest.mark.browser


def write_csv(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def bad_rows() -> list[str]:
    bad = list(ROWS)
    bad[0] = bad[0].replace("2010-01-02", "2010-02-30")  # no such date
    bad[2] = bad[2].replace("criminal_activity", "not_a_code")  # no such risk factor
    bad[4] = bad[4].replace("2024-08-01T10:00Z", "last summer", 1)  # not a date and time
    return bad


def flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".govuk-notification-banner")


def upload_bad_then_good(page: Page, folder: Path) -> None:
    go_to(page, "Team")
    expect(page.get_by_role("heading", name="Team", level=1)).to_be_visible()
    page.get_by_role("link", name="Import the standard dataset").click()
    expect(page.get_by_role("heading", name="Import the standard dataset")).to_be_visible()
    check_page(page)

    chooser = page.get_by_label("Standard dataset (CSV, UTF-8)")
    chooser.set_input_files(write_csv(folder, "bad-episodes.csv", bad_rows()))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("alert")).to_contain_text("The file has 3 problem(s): nothing was imported")
    expect(page.get_by_role("heading", name="Problems to fix")).to_be_visible()
    problems = page.locator("table", has=page.get_by_role("columnheader", name="Problem"))
    rows = problems.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("date_of_birth")
    expect(rows.nth(1)).to_contain_text("risk_factors")
    expect(rows.nth(2)).to_contain_text("reported_missing_at")
    check_page(page)

    page.get_by_label("Standard dataset (CSV, UTF-8)").set_input_files(
        write_csv(folder, "episodes.csv", ROWS))
    page.get_by_role("button", name="Check and import").click()
    expect(flash(page)).to_contain_text("Imported")
    expect(page.get_by_role("heading", name="Problems to fix")).to_have_count(0)
    check_page(page)


def team_dashboard(page: Page) -> None:
    go_to(page, "Team")
    expect(page.get_by_role("heading", name="Team", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Overdue", level=2, exact=True)).to_be_visible()
    check_page(page)


def quarterly(page: Page) -> None:
    page.get_by_role("link", name="Quarterly figures").click()
    page.get_by_label("Financial year starting in April of").fill("2024")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/reports/quarterly\?year=2024$"))
    expect(page.get_by_role("heading", name="Quarterly figures 2024/25", level=1)).to_be_visible()
    table = page.get_by_role("table", name="All children, 2024/25")
    expect(table).to_be_visible()
    for expected in EXPECTED_ALL[:2]:  # the counts imported above, cell by cell
        row = table.get_by_role("row", name=re.compile("^" + re.escape(expected[0])))
        expect(row.get_by_role("cell")).to_have_text(expected[1:])
    expect(page.get_by_role("table", name="Children in care, 2024/25")).to_be_visible()
    expect(page.get_by_role("table", name="All children, 2023/24 (the year before)")).to_be_visible()
    charts = page.locator(".rhc-chart svg")
    expect(charts).to_have_count(len(MEASURES))
    for i in range(len(MEASURES)):
        expect(charts.nth(i)).to_be_visible()
    check_page(page)


def quarterly_downloads(page: Page, folder: Path) -> None:
    path, name = download(page, page.get_by_role("link", name="all children (CSV)"), folder)
    assert name == "rhc-quarterly-all-2024.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "measure,Q1,Q2,Q3,Q4,Total"
    # Shared outside the team: counts from 1 to 4 are shown as "<5" (0 and 5 and over exact).
    assert lines[1] == ",".join([EXPECTED_ALL[0][0]] + [
        count_cell(int(cell), DEFAULT_THRESHOLD) for cell in EXPECTED_ALL[0][1:]])
    assert "<5" in lines[1]

    path, name = download(page, page.get_by_role("link", name="committee paper (PDF)"), folder)
    assert name == "rhc-quarterly-2024.pdf"
    text = " ".join(" ".join(pdf_pages(path)).split())  # titles wrap onto two lines
    assert "Return home conversations: quarterly figures 2024/25" in text
    assert "Northmoor Council" in text
    assert "All children, 2024/25" in text and "Children in care, 2023/24" in text


def risk_factors(page: Page) -> None:
    page.get_by_role("link", name="Back to team").click()
    page.get_by_role("link", name="Risk factors").click()
    expect(page.get_by_role("heading", name="Risk factors and missing children")).to_be_visible()
    page.get_by_label("From (YYYY-MM-DD)").fill("2024-04-01")
    page.get_by_label("To (YYYY-MM-DD)").fill("2025-03-31")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"from=2024-04-01&to=2025-03-31"))
    counts = page.locator("table", has=page.get_by_role("columnheader", name="Conversations"))
    expect(counts.locator("tbody tr")).to_have_count(4)
    expect(counts.locator("tbody tr").first.get_by_role("cell").last).to_have_text("3")
    expect(page.get_by_role("heading", name="Missing children (5)")).to_be_visible()
    expect(page.get_by_role("table", name="By gender")).to_be_visible()
    check_page(page)


def test_import_and_reports(page: Page, viewport: str, live_server: str, world,
                            tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_and_sign_in(page, live_server, world.user("north", "manager").email)
    upload_bad_then_good(page, tmp_path)
    team_dashboard(page)
    quarterly(page)
    if viewport == "tablet":
        quarterly_downloads(page, tmp_path)
    risk_factors(page)
