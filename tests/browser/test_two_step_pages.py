"""A worker's two-step sign-in pages, at tablet and phone size: turning it on, changing the
app (refused without the password and a current code, with the error next to the field),
then turning it off. Every page is checked with axe and for sideways scrolling."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from rhc_app.store.models import User
from tests.conftest import PASSWORD

from .conftest import check_page, open_and_sign_in

pytestmark = pytest.mark.browser


def _secret_on_page(page: Page) -> str:
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    return secret


def _forget_last_code(db, user_id: str) -> None:  # type: ignore[no-untyped-def]
    """Let the code just used be used again, so the test need not wait for the next one."""
    db.execute(update(User).where(User.id == user_id).values(totp_last_step=None))
    db.commit()


def test_turn_on_change_and_turn_off(world, db, live_server, page: Page, viewport):
    worker = world.user("north", "worker")
    open_and_sign_in(page, live_server, worker.email)
    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="Turn on two-step sign-in").click()
    old = pyotp.TOTP(_secret_on_page(page))
    page.get_by_label("Security code").fill(old.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Two-step sign-in is on")

    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="Change the app for two-step sign-in").click()
    expect(page.get_by_role("heading", name="Change the app for two-step sign-in")).to_be_visible()
    check_page(page)
    new = pyotp.TOTP(_secret_on_page(page))
    page.get_by_label("Your password").fill("not-my-password-at-all")
    page.get_by_label("Security code from the app you use now").fill(old.now())
    page.get_by_label("Security code from the new app").fill(new.now())
    page.get_by_role("button", name="Change the app for two-step sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("Password or security code is not correct")
    expect(page).to_have_title(re.compile("^Error: "))
    check_page(page)
    _forget_last_code(db, worker.id)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Security code from the app you use now").fill(old.now())
    page.get_by_label("Security code from the new app").fill(new.now())
    page.get_by_role("button", name="Change the app for two-step sign-in").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("now uses your new app")

    _forget_last_code(db, worker.id)
    page.get_by_role("link", name="Turn off two-step sign-in").click()
    expect(page.get_by_role("heading", name="Turn off two-step sign-in")).to_be_visible()
    check_page(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Security code from the app you use now").fill(new.now())
    page.get_by_role("button", name="Turn off two-step sign-in").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Two-step sign-in is off")
    expect(page.get_by_role("link", name="Turn on two-step sign-in")).to_be_visible()
