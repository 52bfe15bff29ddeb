"""The manager's pages of issue 13 in a browser: a figure's list opened from the team page's
timeliness table; the weekly missing meeting (chosen with the date input, the week before, a
date that does not exist); closing a declined offer with a reason. Every page is checked
with axe and for sideways scrolling, at tablet and phone size."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from rhc_app.store.models import Conversation, Episode
from tests.conftest import make_case

from .conftest import check_page, open_and_sign_in
from .helpers import go_to

pytestmark = pytest.mark.browser


def _missing(db, holder, ref: str, reported: datetime, found: datetime | None) -> None:  # type: ignore[no-untyped-def]
    episode = make_case(db, holder, name=f"Name of {ref}", ref=ref)
    e = db.get(Episode, episode.id)
    e.reported_missing_at, e.found_at = reported, found
    db.commit()


def test_weekly_meeting_pages(page: Page, viewport: str, live_server: str, world, db,  # type: ignore[no-untyped-def]
                              ) -> None:
    worker = world.user("north", "worker")
    _missing(db, worker, "WEEK-1", datetime(2026, 11, 3, 10, tzinfo=UTC), None)
    _missing(db, worker, "WEEK-2", datetime(2026, 10, 28, 10, tzinfo=UTC),
             datetime(2026, 10, 31, 10, tzinfo=UTC))  # its 72 hours end on 3 November
    make_case(db, world.user("north", "worker2"), ref="NOW-1", reported_hours_ago=30)
    open_and_sign_in(page, live_server, world.user("north", "manager").email)
    go_to(page, "Team")
    check_page(page)  # with the timeliness table filled in
    # a figure of the timeliness table opens the episodes behind it
    timeliness = page.get_by_role("table", name=re.compile("^Episodes, offered within 72 hours"))
    timeliness.get_by_role("link", name=re.compile(r"^Episodes: 1\s*, Worker2 North")).last.click()
    expect(page.get_by_role("heading", name="Missing episodes: 1", level=1)).to_be_visible()
    expect(page.get_by_role("table", name="Episodes behind the figure")).to_contain_text("NOW-1")
    check_page(page)
    go_to(page, "Team")
    page.get_by_role("link", name="Weekly missing meeting").click()
    expect(page.get_by_role("heading", name="Weekly missing meeting", level=1)).to_be_visible()
    check_page(page)

    group = page.get_by_role("group", name="Show the week containing")
    group.get_by_label("Day").fill("4")
    group.get_by_label("Month").fill("11")
    group.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show the week").click()
    expect(page.get_by_text("Week of 2 November 2026 to 8 November 2026")).to_be_visible()
    went = page.get_by_role("table", name="Children who went missing")
    expect(went.get_by_role("row", name="WEEK-1")).to_be_visible()
    expect(page.get_by_role("table", name="Children still missing")).to_contain_text("WEEK-1")
    expect(page.get_by_role("table", name="Conversations not offered within 72 hours")
           ).to_contain_text("WEEK-2")
    expect(page.get_by_role("table", name="What changed since last week")).to_be_visible()
    check_page(page)

    page.get_by_role("link", name="Previous week").click()
    expect(page.get_by_text("Week of 26 October 2026 to 1 November 2026")).to_be_visible()
    expect(page.get_by_role("table", name="Children who went missing")).to_contain_text("WEEK-2")
    check_page(page)

    group = page.get_by_role("group", name="Show the week containing")
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("2")
    page.get_by_role("button", name="Show the week").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("must be a real date")
    expect(group.get_by_label("Day")).to_have_value("31")
    check_page(page)


def test_closing_an_offer(page: Page, viewport: str, live_server: str, world, db,  # type: ignore[no-untyped-def]
                          ) -> None:
    episode = make_case(db, world.user("north", "worker"), name="Lark Declined", ref="CLOSE-1")
    conv = db.get(Conversation, episode.conversation.id)
    conv.status = conv.outcome = "declined"
    db.commit()
    open_and_sign_in(page, live_server, world.user("north", "manager").email)
    page.goto(f"{live_server}/conversations/{conv.id}")
    page.get_by_role("link", name="Close with no further offer").click()
    expect(page.get_by_role("heading", name="Close with no further offer", level=1)).to_be_visible()
    check_page(page)
    page.get_by_label("Other").check()
    page.get_by_role("button", name="Close with no further offer").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Confirm the conversation will not be offered again")
    expect(page.get_by_label("Other")).to_be_checked()
    check_page(page)
    page.get_by_label("Offered three times").check()
    page.get_by_label("I confirm this conversation will not be offered again").check()
    page.get_by_role("button", name="Close with no further offer").click()
    expect(page.get_by_role("heading", name="Closed: no further offer")).to_be_visible()
    expect(page.locator("#closed")).to_contain_text("Offered three times")
    check_page(page)
