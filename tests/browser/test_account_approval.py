"""A manager is told on the Team page of an account an administrator added, checks it, approves
it and is shown the second half of its one-time password; the new worker signs in with both
halves, chooses a password and sets up two-step sign-in. Every page is checked with axe and for
sideways scrolling at tablet and phone size."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from rhc_app.security import audit
from rhc_app.services import invitations
from rhc_app.store.models import User

from .conftest import check_page, open_and_sign_in, sign_in
from .helpers import go_to

pytestmark = pytest.mark.browser

NEW_NAME = "Juniper Madeupworker"  # invented
NEW_EMAIL = "juniper.madeupworker@north.example.org"
NEW_PASSWORD = "plum-orbit-lantern-quietly"


def _added_by_the_admin(db, world) -> str:
    """What the administrator's page would have done: the first half, which they hand over."""
    admin = db.get(User, world.user("north", "admin").id)
    ring = db.info["keyring"]
    member = User(organisation_id=admin.organisation_id, email_index=ring.index("email", NEW_EMAIL),
                  email=NEW_EMAIL, name=NEW_NAME, role="worker")
    issued = invitations.issue(member, admin, fast=True)
    db.add(member)
    db.flush()
    audit.record(db, "user_created", user_id=admin.id, org_id=admin.organisation_id,
                 record_type="user", record_id=member.id)
    db.commit()
    return issued.shown


def test_account_approval(page: Page, viewport: str, live_server: str, world, db, browser) -> None:  # type: ignore[no-untyped-def]
    first = _added_by_the_admin(db, world)
    open_and_sign_in(page, live_server, world.user("north", "manager").email)
    go_to(page, "Team")
    notice = page.locator("#accounts-notice")
    expect(notice).to_contain_text("1 account is waiting for a manager to approve")
    check_page(page)
    notice.get_by_role("link", name="Check the accounts").click()
    expect(page.get_by_role("heading", name="Accounts to check")).to_be_visible()
    changes = page.locator("table", has=page.get_by_role("columnheader", name="What"))
    expect(changes).to_contain_text("Account created")
    expect(changes).to_contain_text("Admin North (admin)")
    check_page(page)
    page.get_by_role("button", name=f"Approve {NEW_NAME} and show the second half").click()
    expect(page.get_by_role("heading", name=f"{NEW_NAME}’s account is approved")).to_be_visible()
    second = page.locator("#second-half").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{6}", second), second
    check_page(page)
    page.get_by_role("link", name="Back to accounts").click()
    expect(changes).to_contain_text("Approved by a manager")

    newcomer = browser.new_context(viewport=page.viewport_size).new_page()
    newcomer.goto(f"{live_server}/sign-in")
    sign_in(newcomer, NEW_EMAIL, f"{first}-{second}")
    expect(newcomer.get_by_role("heading", name="Change your password")).to_be_visible()
    newcomer.get_by_label("Current password").fill(f"{first}-{second}")
    newcomer.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Change password").click()
    expect(newcomer.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(newcomer.get_by_text("Your account must use two-step sign-in")).to_be_visible()
    check_page(newcomer)
    secret = newcomer.locator("#totp-secret").inner_text().strip()
    newcomer.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    newcomer.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(newcomer.locator(".govuk-notification-banner")).to_contain_text("Two-step sign-in is on")
    newcomer.context.close()
