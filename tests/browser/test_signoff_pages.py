"""The sign-off pages of finding 14 (issue 11), at tablet and phone size: a manager's own
record (no sign-off button), returning without a reason (the error), the frozen canvas and the
returned notice the worker sees. axe finds no WCAG 2.2 A/AA violations, nothing scrolls
sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.reliability.test_attack_signoff import _submitted

from .conftest import check_page, open_and_sign_in

pytestmark = pytest.mark.browser


def test_own_record_and_return_with_errors(page: Page, viewport: str, live_server: str,
                                           world, db) -> None:  # type: ignore[no-untyped-def]
    manager = world.user("north", "manager")
    conv_id = _submitted(db, world.orgs["north"].org, manager)
    open_and_sign_in(page, live_server, manager.email)
    page.goto(f"{live_server}/conversations/{conv_id}")
    expect(page.locator("#own-record")).to_contain_text("another manager must sign it off")
    expect(page.get_by_role("button", name="Sign off")).to_have_count(0)
    check_page(page)
    page.get_by_role("button", name="Return to the worker").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter what the worker needs to change")
    check_page(page)
    page.get_by_role("link", name="Enter what the worker needs to change").click()
    expect(page.locator("#signoff-reason")).to_be_focused()


def test_frozen_canvas_and_returned_notice(page: Page, viewport: str, live_server: str,
                                           world, db) -> None:  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    conv_id = _submitted(db, world.orgs["north"].org, worker)
    open_and_sign_in(page, live_server, world.user("north", "manager").email)
    page.goto(f"{live_server}/conversations/{conv_id}/canvas")
    expect(page.locator("#frozen")).to_contain_text("Waiting for a manager's sign-off")
    check_page(page)
    page.goto(f"{live_server}/conversations/{conv_id}")
    page.get_by_label("Comment").fill("Add what the carer said on return")
    page.get_by_role("button", name="Return to the worker").click()
    expect(page.locator("#returned")).to_contain_text("Add what the carer said on return")
    check_page(page)
