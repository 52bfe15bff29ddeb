"""Issue 13 in a real browser, at tablet and phone size: a manager records a strategy meeting
decision for a child missing often (the conditional questions, an error shown next to the
date, then "held" with its chair), sees it in the child's history and the flag gone from the
team dashboard; and the still-missing list. axe finds no WCAG 2.2 A/AA violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from rhc_app.domain.uk_time import today_in_london
from tests.conftest import make_case

from .conftest import check_page, go_to, open_and_sign_in

pytestmark = pytest.mark.browser


def test_record_a_strategy_meeting_decision(page: Page, viewport: str, live_server: str,
                                            world, db) -> None:  # type: ignore[no-untyped-def]
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    for hours in (300, 200, 100):
        episode = make_case(db, worker, name="Rowan Repeatchild", ref="SD-B-1",
                            found_hours_ago=hours - 5, reported_hours_ago=hours)
    open_and_sign_in(page, live_server, manager.email)
    page.goto(f"{live_server}/team")
    panel = page.locator("#repeat + p + div")
    expect(panel).to_contain_text("Rowan Repeatchild")
    expect(panel).to_contain_text("Decision due")
    panel.get_by_role("link", name="Rowan Repeatchild").click()
    expect(page.get_by_role("heading", name="Record a strategy meeting decision", level=1)
           ).to_be_visible()
    check_page(page)
    page.get_by_label("Strategy meeting held").check()
    page.get_by_label("Who chaired it").fill("Sage Chairperson, service manager")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the date the meeting was held")
    expect(page.get_by_label("Who chaired it")).to_have_value("Sage Chairperson, service manager")
    check_page(page)
    day = today_in_london()
    held = page.get_by_role("group", name="Date the meeting was held")
    held.get_by_label("Day").fill(str(day.day))
    held.get_by_label("Month").fill(str(day.month))
    held.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Strategy meeting decision saved")
    history = page.locator("#strategy ~ ul")
    expect(history).to_contain_text("Strategy meeting held on")
    expect(history).to_contain_text("Chaired by Sage Chairperson, service manager")
    check_page(page)
    page.goto(f"{live_server}/team")
    expect(page.locator("#repeat + p + p")).to_have_text("None.")  # no decision due now
    page.goto(f"{live_server}/conversations/{episode.conversation.id}")
    expect(page.locator("body")).not_to_contain_text("episodes in 30 days")


def test_still_missing_list(page: Page, viewport: str, live_server: str,
                            world, db) -> None:  # type: ignore[no-untyped-def]
    manager = world.user("north", "manager")
    make_case(db, manager, name="Hazel Stillmissing", found_hours_ago=None,
              reported_hours_ago=80, police_risk="high", in_care=True)
    open_and_sign_in(page, live_server, manager.email)
    go_to(page, "Still missing")
    expect(page.get_by_role("heading", name="Still missing", level=1)).to_be_visible()
    row = page.locator("tr", has_text="Hazel Stillmissing")
    expect(row).to_contain_text("3 days 8 hours")
    expect(row).to_contain_text("Tell a senior manager")
    check_page(page)
    row.get_by_role("link", name="Record who was told").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the name of the senior manager")
    check_page(page)
