"""Closing an action, at tablet and phone size: from the conversation's actions to the update
page, "not done" refused without a reason (the error next to the field), then closed with one;
"My actions" and the team's overdue actions. axe finds no WCAG 2.2 A/AA violations, nothing
scrolls sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from rhc_app.domain.uk_time import today_in_london
from rhc_app.store.models import FollowUpAction
from tests.web.test_actions_views import _actions, _in_progress

from .conftest import check_page, go_to, open_and_sign_in

pytestmark = pytest.mark.browser


def test_close_an_action(page: Page, viewport: str, live_server: str, world, db
                         ) -> None:  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    conv = _in_progress(db, worker, ["strategy_meeting"])
    open_and_sign_in(page, live_server, worker.email)
    go_to(page, "My actions")
    expect(page.locator("#action-list")).to_contain_text("Strategy meeting")
    check_page(page)
    page.goto(f"{live_server}/conversations/{conv.id}#actions")
    table = page.locator("#action-table")
    expect(table).to_contain_text("Open")
    check_page(page)
    table.get_by_role("link", name="Update Strategy meeting").click()
    check_page(page)
    page.get_by_label("Not done").check()
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter why this action was not done")
    check_page(page)
    page.get_by_role("link", name="Enter why this action was not done").click()
    expect(page.locator("#outcome")).to_be_focused()
    page.get_by_label("Done", exact=True).check()
    page.locator("#outcome").fill("Meeting held, safety plan agreed")
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_text("Action updated")).to_be_visible()
    expect(page.locator("#action-table")).to_contain_text("Done")
    expect(page.locator("#action-table")).to_contain_text("Meeting held, safety plan agreed")
    check_page(page)
    (action,) = _actions(db, conv.id)
    assert action.status == "done"


def test_the_team_s_overdue_actions(page: Page, viewport: str, live_server: str, world, db
                                    ) -> None:  # type: ignore[no-untyped-def]
    conv = _in_progress(db, world.user("north", "worker"), ["health"])
    (action,) = _actions(db, conv.id)
    db.get(FollowUpAction, action.id).due_on = today_in_london() - timedelta(days=2)
    db.commit()
    open_and_sign_in(page, live_server, world.user("north", "manager").email)
    go_to(page, "Team")
    expect(page.locator("#overdue-actions-table")).to_contain_text("Overdue by 2 days")
    check_page(page)
    page.get_by_role("link", name="All 1 overdue actions").click()
    expect(page.locator("#action-list")).to_contain_text("Worker North")
    check_page(page)
