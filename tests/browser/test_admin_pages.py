"""An administrator's pages, at tablet and phone size: two-step sign-in set up on first
sign-in (it is required for admins), the users list, adding a user (with errors, then the
first half of the one-time password), the confirmation before disabling someone, and the organisation
settings (with errors). Every page is checked with axe and for sideways scrolling."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from .conftest import check_page, open_and_sign_in
from .helpers import go_to

pytestmark = pytest.mark.browser

NEW_NAME = "Hazel Madeupworker"  # invented
NEW_EMAIL = "hazel.madeupworker@north.example.org"


def flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".govuk-notification-banner")


def set_up_two_step(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/account/two-step$"))
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    check_page(page)
    # Nothing else can be opened until it is set up.
    go_to(page, "Users")
    expect(page).to_have_url(re.compile(r"/account/two-step$"))
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    totp = pyotp.TOTP(secret)
    recent = {totp.at(time.time() + s) for s in (-30, 0, 30)}  # the server takes neighbours too
    page.get_by_label("Security code").fill(next(c for c in ("000000", "111111", "222222")
                                                 if c not in recent))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("The security code is not correct")
    check_page(page)
    # The same secret is kept while the code is retried.
    expect(page.locator("#totp-secret")).to_have_text(secret)
    page.get_by_label("Security code").fill(totp.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(flash(page)).to_contain_text("Two-step sign-in is on")


def card(page: Page, name: str):  # type: ignore[no-untyped-def]
    """The summary card of one user."""
    return page.locator(".govuk-summary-card",
                        has=page.get_by_role("heading", name=name, exact=True))


def users_page(page: Page) -> None:
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    expect(page.locator(".govuk-summary-card")).to_have_count(4)  # the four north users
    expect(card(page, "Manager North")).to_contain_text("manager@north.example.org")
    expect(page.locator("main")).not_to_contain_text("south.example.org")
    # Everyone else can be disabled; not the admin's own account.
    expect(card(page, "Worker North").get_by_role("link", name="Disable (Worker North)")
           ).to_be_visible()
    expect(card(page, "Admin North").get_by_role("link", name=re.compile("^Disable"))
           ).to_have_count(0)
    check_page(page)


def add_a_user(page: Page) -> None:
    page.get_by_role("button", name="Add a user").click()
    expect(page.get_by_role("heading", name="Add a user")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Add user").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the person's name")
    expect(summary).to_contain_text("Enter an email address")
    expect(summary).to_contain_text("Select a role")
    expect(page).to_have_title(re.compile("^Error: "))
    check_page(page)

    page.get_by_label("Full name").fill(NEW_NAME)
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("group", name="Role").get_by_label("Worker").check()
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter an email address in the right format")
    check_page(page)

    page.get_by_label("Email address").fill(NEW_EMAIL)
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("heading", name="User added")).to_be_visible()
    # A worker: the administrator sees only the first half (a manager approves and gives the
    # second; see tests/reliability/test_attack_admin_reach.py).
    expect(page.locator("#first-half")).to_have_text(re.compile(r"^\s*[0-9a-f]{6}-[0-9a-f]{6}\s*$"))
    expect(page.get_by_text(f"This is the first half of {NEW_NAME}’s one-time password")
           ).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Back to users").click()
    expect(card(page, NEW_NAME)).to_contain_text("Waiting for a manager to approve")
    expect(card(page, NEW_NAME)).to_contain_text(NEW_EMAIL)


def disable_the_new_user(page: Page) -> None:
    card(page, NEW_NAME).get_by_role("link", name=f"Disable ({NEW_NAME})").click()
    expect(page.get_by_role("heading", name=f"Disable {NEW_NAME}?")).to_be_visible()
    expect(page.get_by_text("They will be signed out at once")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name=f"Disable {NEW_NAME}").click()
    expect(flash(page)).to_contain_text(f"{NEW_NAME} is disabled")
    expect(card(page, NEW_NAME)).to_contain_text("Disabled")
    expect(card(page, NEW_NAME).get_by_role("link", name=f"Enable ({NEW_NAME})")).to_be_visible()
    check_page(page)


def organisation_settings(page: Page) -> None:
    page.get_by_role("link", name="Organisation settings").click()
    expect(page.get_by_role("heading", name="Organisation settings")).to_be_visible()
    threshold = page.get_by_label("Episodes that call for a strategy meeting")
    window = page.get_by_label("Window in days")
    expect(threshold).to_have_value("3")
    check_page(page)

    threshold.fill("1")
    window.fill("")
    page.get_by_role("button", name="Save settings").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a number from 2 to 20")
    expect(summary).to_contain_text("Enter a number of days")
    check_page(page)

    page.get_by_label("Episodes that call for a strategy meeting").fill("4")
    page.get_by_label("Window in days").fill("90")
    page.get_by_role("button", name="Save settings").click()
    expect(flash(page)).to_contain_text("Settings saved")
    expect(page.get_by_label("Episodes that call for a strategy meeting")).to_have_value("4")
    expect(page.get_by_label("Window in days")).to_have_value("90")


def test_admin_pages(page: Page, viewport: str, live_server: str, world) -> None:  # type: ignore[no-untyped-def]
    open_and_sign_in(page, live_server, world.user("north", "admin").email)
    set_up_two_step(page)
    users_page(page)
    add_a_user(page)
    disable_the_new_user(page)
    organisation_settings(page)
