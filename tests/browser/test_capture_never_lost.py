"""Nothing typed is ever lost (issue 10), on a tablet and a phone: type then Complete at once,
type then leave by a link, 60,000 characters pasted, add a place then reload, and the "Now"
buttons on every date and time the worker types."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversations import record_outcome, save_canvas
from rhc_app.store.models import Conversation
from tests.conftest import make_case, now

from .conftest import check_page, open_and_sign_in
from .test_capture_journey import area, flash, save_status

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")
LAST_WORDS = "LAST WORDS: she named the man who picks her up (invented)"


def open_canvas(page: Page, live_server: str, world, db, *, ready: bool = False) -> str:  # type: ignore[no-untyped-def]
    """A conversation the child accepted, open on the canvas; `ready`: when it was held and
    consent are already saved, so Complete can complete it."""
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name="Juniper Testchild")
    conv = episode.conversation
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    if ready:
        canvas = empty_canvas()
        canvas["details"].update(held_at=(now() - timedelta(hours=1)).isoformat(),
                                 consent_to_share="no")
        assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    open_and_sign_in(page, live_server, worker.email)
    page.goto(f"{live_server}/conversations/{conv.id}/canvas")
    expect(page.get_by_role("heading", name="The conversation", level=1)).to_be_visible()
    return str(conv.id)


def stored(db, conv_id: str) -> Conversation:  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    return db.get(Conversation, conv_id)


def test_type_then_complete_at_once(page: Page, viewport: str, live_server: str, world, db) -> None:  # type: ignore[no-untyped-def]
    conv_id = open_canvas(page, live_server, world, db, ready=True)
    check_page(page)
    area(page, "Pull factors").fill(LAST_WORDS)
    page.get_by_role("button", name="Complete the conversation").click()  # no wait
    expect(flash(page)).to_contain_text("Conversation completed")
    conv = stored(db, conv_id)
    assert conv.status == "completed"
    assert conv.canvas["areas"]["pull_factors"] == LAST_WORDS


def test_type_then_leave_by_a_link(page: Page, viewport: str, live_server: str, world, db) -> None:  # type: ignore[no-untyped-def]
    conv_id = open_canvas(page, live_server, world, db)
    area(page, "Pull factors").fill(LAST_WORDS)
    page.get_by_role("link", name="Back to the conversation overview").click()  # no wait
    expect(page.get_by_role("heading", name="Return home conversation")).to_be_visible()
    assert stored(db, conv_id).canvas["areas"]["pull_factors"] == LAST_WORDS
    check_page(page)


def test_leaving_with_words_that_cannot_be_saved_asks_first(page: Page, viewport: str,
                                                            live_server: str, world, db) -> None:  # type: ignore[no-untyped-def]
    open_canvas(page, live_server, world, db)
    page.context.set_offline(True)
    area(page, "Pull factors").fill(LAST_WORDS)
    asked = []
    page.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))  # dismiss: stay
    page.get_by_role("link", name="Back to the conversation overview").click()
    expect(page.get_by_role("heading", name="The conversation", level=1)).to_be_visible()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(area(page, "Pull factors")).to_have_value(LAST_WORDS)
    page.context.set_offline(False)


def test_sixty_thousand_characters_pasted(page: Page, viewport: str, live_server: str, world,
                                          db) -> None:  # type: ignore[no-untyped-def]
    conv_id = open_canvas(page, live_server, world, db)
    pasted = ("She said he drives a blue car and waits by the shop. " * 1200)[:60_000]
    area(page, "Victims").fill("Nobody hurt her")
    themes = area(page, "Themes")
    themes.fill(pasted)
    # The limit is seen before Save is pressed (GOV.UK character count).
    count = page.locator('[data-module="govuk-character-count"]', has=page.locator("#area-themes"))
    expect(count.locator(".govuk-character-count__status")).to_have_text(
        "You have 10,000 characters too many")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link",
                               name="Themes must be 50,000 characters or fewer (it has 60,000)")
    expect(link).to_be_visible()
    expect(area(page, "Themes")).to_have_value(pasted)
    expect(area(page, "Victims")).to_have_value("Nobody hurt her")
    check_page(page)
    link.click()
    expect(area(page, "Themes")).to_be_focused()
    assert stored(db, conv_id).canvas["areas"]["themes"] == ""


def test_add_a_place_then_reload_is_no_conflict(page: Page, viewport: str, live_server: str,
                                                world, db) -> None:  # type: ignore[no-untyped-def]
    conv_id = open_canvas(page, live_server, world, db)
    page.get_by_role("button", name="Add a place").click()
    place = page.get_by_role("group", name="Place 1")
    name = place.get_by_label("Name or description")
    expect(name).to_be_focused()  # landed on the new row, ready to type
    expect(page).not_to_have_url(re.compile(r"add="))
    check_page(page)
    name.fill("Flat above the takeaway (invented)")
    area(page, "Victims").fill("Says nobody hurt them.")
    expect(save_status(page)).to_contain_text("Saved at")
    page.reload()
    expect(page.get_by_role("heading", name="The conversation", level=1)).to_be_visible()
    expect(page.locator("#conflict")).to_have_count(0)
    expect(page.get_by_role("group", name="Place 1").get_by_label("Name or description")
           ).to_have_value("Flat above the takeaway (invented)")
    expect(page.get_by_role("group", name="Place 2")).to_have_count(0)
    assert stored(db, conv_id).canvas["areas"]["victims"] == "Says nobody hurt them."


def now_button(scope, label: str):  # type: ignore[no-untyped-def]
    """"Now", and for a screen reader which time it sets."""
    return scope.get_by_role("button", name=re.compile(rf"^Now\W+{re.escape(label)}$"))


def london_minutes(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=LONDON)


def assert_now(value: str) -> None:
    assert abs(london_minutes(value) - datetime.now(LONDON)) < timedelta(minutes=2), value


def test_now_buttons_on_every_date_and_time(page: Page, viewport: str, live_server: str, world,
                                            db) -> None:  # type: ignore[no-untyped-def]
    conv_id = open_canvas(page, live_server, world, db)
    # When it was held: now, as soon as the worker starts writing; saved with the words.
    held = page.get_by_label("When it was held")
    expect(held).to_have_value("")
    area(page, "Victims").fill("Says nobody hurt them.")
    assert_now(held.input_value())
    expect(save_status(page)).to_contain_text("Saved at")
    assert stored(db, conv_id).canvas["details"]["held_at"]
    held.fill("")
    now_button(page, "When it was held").click()
    assert_now(held.input_value())
    check_page(page)

    # Offering the conversation (offered, accepted…) and the contact attempts.
    offer = make_case(db, world.user("north", "worker"), name="Rowan Testchild").conversation
    db.commit()
    child_id = offer.episode.child_id
    page.goto(f"{live_server}/conversations/{offer.id}")
    page.get_by_text("Record an attempt to make contact").click()
    for form in ("attempts", "outcome"):
        scope = page.locator(f"form[action$='/{form}']")
        now_button(scope, "When").click()
        assert_now(scope.get_by_label("When", exact=True).input_value())
    check_page(page)

    page.goto(f"{live_server}/children/{child_id}/episodes/new")
    for label in ("Reported missing", "Found or returned"):
        now_button(page, label).click()
        assert_now(page.get_by_label(label, exact=True).input_value())
    check_page(page)
