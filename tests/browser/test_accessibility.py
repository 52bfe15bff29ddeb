"""Every kind of page in the capture journey, at tablet and phone size: axe finds no WCAG 2.2
A/AA violations and nothing scrolls sideways. Forms are checked with their errors showing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from rhc_app.services.conversations import record_outcome
from tests.conftest import make_case, now

from .conftest import check_page, go_to, open_and_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(page: Page, viewport: str, live_server: str, world) -> str:  # type: ignore[no-untyped-def]
    open_and_sign_in(page, live_server, world.user("north", "worker").email)
    return live_server


def test_sign_in_page(page: Page, viewport: str, live_server: str) -> None:
    page.goto(f"{live_server}/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check_page(page)


def test_sign_in_page_with_errors(page: Page, viewport: str, live_server: str) -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your email address")
    check_page(page)


def test_signed_out_page(page: Page, signed_in: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    check_page(page)


def test_children_page(page: Page, signed_in: str, world, db) -> None:  # type: ignore[no-untyped-def]
    make_case(db, world.user("north", "worker"), name="Juniper Testchild", ref="NM-A11Y-1")
    go_to(page, "Children")
    expect(page.get_by_role("heading", name="Children", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Juniper Testchild")).to_be_visible()
    check_page(page)


def test_add_child_form_with_errors(page: Page, signed_in: str) -> None:
    page.goto(f"{signed_in}/children/new")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the child's name")
    expect(summary).to_contain_text("Enter the case reference")
    check_page(page)


def test_episode_form_with_errors(page: Page, signed_in: str, world, db) -> None:  # type: ignore[no-untyped-def]
    episode = make_case(db, world.user("north", "worker"), name="Juniper Testchild")
    page.goto(f"{signed_in}/children/{episode.child_id}/episodes/new")
    page.get_by_role("button", name="Save episode").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter the date and time the child was reported missing")
    check_page(page)


def test_conversation_overview(page: Page, signed_in: str, world, db) -> None:  # type: ignore[no-untyped-def]
    episode = make_case(db, world.user("north", "worker"), name="Juniper Testchild")
    page.goto(f"{signed_in}/conversations/{episode.conversation.id}")
    expect(page.get_by_role("heading", name="Return home conversation")).to_be_visible()
    check_page(page)
    # The attempt form is inside a <details>: check it open too, with its errors.
    page.get_by_text("Record an attempt to make contact").click()
    page.get_by_role("button", name="Record attempt").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter when you tried to make contact")
    check_page(page)


def test_canvas(page: Page, signed_in: str, world, db) -> None:  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name="Juniper Testchild")
    record_outcome(db, worker, episode.conversation, "accepted", now() - timedelta(hours=1))
    db.commit()
    page.goto(f"{signed_in}/conversations/{episode.conversation.id}/canvas")
    expect(page.get_by_role("heading", name="The conversation", level=1)).to_be_visible()
    check_page(page)
    # With every area open, as it is by the end of a conversation.
    for summary in page.locator("details.rhc-area > summary").all():
        summary.click()
    check_page(page)
