""""My conversations" over two pages, at tablet and phone size: the GOV.UK pager leads to the
second page and back, a page that does not exist says so, and axe finds nothing on any."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_case

from .conftest import check_page, open_and_sign_in

pytestmark = pytest.mark.browser


def test_my_conversations_over_two_pages(page: Page, viewport: str, live_server: str, world,  # type: ignore[no-untyped-def]
                                         db) -> None:
    worker = world.user("north", "worker")
    for i in range(51):
        make_case(db, worker, name="Pat Pager", ref="NM-PAGER-1", found_hours_ago=100 - i,
                  reported_hours_ago=110 - i)
    open_and_sign_in(page, live_server, worker.email)
    expect(page.get_by_role("heading", name="My conversations")).to_be_visible()
    pager = page.get_by_role("navigation", name="Pages of the list")
    expect(pager).to_be_visible()
    expect(page.locator("#shown")).to_have_text("Showing 1 to 50 of 51 conversations")
    check_page(page)

    pager.get_by_role("link", name="Next").click()
    expect(page.locator("#shown")).to_have_text("Showing 51 to 51 of 51 conversations")
    expect(page.locator("#conversations > li")).to_have_count(1)
    expect(page).to_have_title(re.compile(r"^My conversations \(page 2 of 2\) – "))
    check_page(page)

    page.get_by_role("navigation", name="Pages of the list").get_by_role(
        "link", name="Previous").click()
    expect(page.locator("#conversations > li")).to_have_count(50)

    page.goto(f"{live_server}/?page=3")
    expect(page.get_by_role("heading", name="There is no page 3")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Go to the first page of my conversations").click()
    expect(page.locator("#conversations > li")).to_have_count(50)
