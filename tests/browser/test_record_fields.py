"""Issue 17 in a real browser, at tablet and phone size: a late decline recorded with what the
carers said and why it was late (its errors first), a late hold's reason on the canvas, and
the quarterly page's late reasons. axe finds no WCAG 2.2 A/AA violations on any of them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from rhc_app.services.conversations import record_outcome
from tests.conftest import make_case, now

from .conftest import check_page, open_and_sign_in

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")
CARERS = "Her nan said she came home cold and went straight to sleep"  # invented


def uk_local(hours_ago: float) -> str:
    return (datetime.now(LONDON) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def test_a_late_decline_with_the_carers_words_and_a_reason(page: Page, viewport: str,
                                                           live_server: str, world, db) -> None:  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name="Saffron Testchild", found_hours_ago=100,
                        reported_hours_ago=120)
    open_and_sign_in(page, live_server, worker.email)
    page.goto(f"{live_server}/conversations/{episode.conversation.id}")
    check_page(page)
    form = page.locator("form", has=page.get_by_role("button", name="Save", exact=True))
    form.get_by_label("The child declined").check()
    form.get_by_label("When").fill(uk_local(1))
    form.get_by_label("What the parents or carers said").fill(CARERS)
    form.get_by_role("button", name="Save", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Select why the conversation was offered more than 72 "
                                    "hours after the child was found")
    expect(page.get_by_label("What the parents or carers said")).to_have_value(CARERS)
    check_page(page)
    summary.get_by_role("link").first.click()  # the error links to the question
    expect(page.get_by_label("Notification arrived late")).to_be_focused()
    page.get_by_label("Notification arrived late").check()
    page.get_by_role("button", name="Save", exact=True).click()
    also = page.locator("#also-recorded + .govuk-summary-list")
    expect(also).to_contain_text(CARERS)
    expect(also).to_contain_text("Notification arrived late")
    check_page(page)


def test_a_late_hold_asks_why_on_the_canvas(page: Page, viewport: str, live_server: str,
                                            world, db) -> None:  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name="Saffron Testchild", found_hours_ago=100,
                        reported_hours_ago=120)
    record_outcome(db, worker, episode.conversation, "accepted", now() - timedelta(hours=95))
    db.commit()
    open_and_sign_in(page, live_server, worker.email)
    page.goto(f"{live_server}/conversations/{episode.conversation.id}/canvas")
    page.get_by_label("When it was held").fill(uk_local(2))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Select why the conversation was held "
                                                      "more than 72 hours")
    check_page(page)
    section = page.locator("#held-by-section")
    section.get_by_label("Worker not available").check()
    section.get_by_role("group", name="Are they independent of the child's care?") \
        .get_by_label("Yes").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved")
    check_page(page)


def test_the_quarterly_page_shows_late_reasons(page: Page, viewport: str, live_server: str,
                                               world, db) -> None:  # type: ignore[no-untyped-def]
    from rhc_app.services.conversation_fields import OfferFields
    worker = world.user("north", "worker")
    episode = make_case(db, worker, found_hours_ago=100, reported_hours_ago=120)
    record_outcome(db, worker, episode.conversation, "declined", now() - timedelta(hours=1),
                   fields=OfferFields(late_reason="child_not_available"))
    db.commit()
    open_and_sign_in(page, live_server, world.user("north", "manager").email)
    page.goto(f"{live_server}/reports/quarterly")
    table = page.get_by_role("region", name="Reasons for a late offer or conversation",
                             exact=False)
    expect(table.get_by_role("row", name="Child not available")).to_contain_text("1")
    check_page(page)


def test_a_child_placed_out_of_area(page: Page, viewport: str, live_server: str, world,
                                    db) -> None:  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name="Saffron Testchild")
    open_and_sign_in(page, live_server, worker.email)
    page.goto(f"{live_server}/children/{episode.child_id}")
    page.get_by_role("link", name="Change placing authority and host area").first.click()
    check_page(page)
    page.get_by_label("Placing authority").fill("x" * 101)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter 100 characters or fewer")
    check_page(page)
    page.get_by_label("Placing authority").fill("Harrow")
    page.get_by_label("Host area").fill("Gateshead")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#out-of-area")).to_contain_text("Harrow")
    check_page(page)
