"""Issue 17 in a browser: a worker covers the child's second missing episode from the first
conversation's page (the question, its error, the answer on the page), then detaches it with
a reason on the confirmation page. Every page is checked with axe and for sideways scrolling,
at tablet and phone size."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from rhc_app.store.models import Conversation
from tests.conftest import make_case

from .conftest import check_page, open_and_sign_in

pytestmark = pytest.mark.browser


def test_covering_another_missing_episode(page: Page, viewport: str, live_server: str, world,  # type: ignore[no-untyped-def]
                                          db) -> None:
    worker = world.user("north", "worker")
    first = make_case(db, worker, name="Wren Twicegone", ref="TWICE-1",
                      reported_hours_ago=120, found_hours_ago=110)
    second = make_case(db, worker, ref="TWICE-1", reported_hours_ago=40, found_hours_ago=30)
    conv_id, own_id = first.conversation.id, second.conversation.id
    open_and_sign_in(page, live_server, worker.email)
    page.goto(f"{live_server}/conversations/{conv_id}")
    expect(page.locator(".rhc-clock")).to_contain_text("Overdue")  # 110 hours since found
    page.get_by_role("link", name="Cover another missing episode of this child").click()
    expect(page.get_by_role("heading", name="Cover another missing episode", level=1)
           ).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Attach the missing episode").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Select the missing episode this conversation covers too")
    check_page(page)
    page.get_by_role("group", name="Which missing episode does this conversation cover too?"
                     ).get_by_role("radio").first.check()
    page.get_by_role("button", name="Attach the missing episode").click()
    expect(page.get_by_role("heading", name="Other missing episodes this conversation covers")
           ).to_be_visible()
    # the clock now runs from the second found time: 42 hours left, not overdue
    expect(page.locator(".rhc-clock")).to_contain_text("left")
    check_page(page)
    db.expire_all()  # the app changed it in its own session
    assert db.get(Conversation, own_id).status == "covered"
    db.commit()
    page.get_by_role("link", name="Detach the episode reported missing").click()
    expect(page.get_by_role("heading", name="Detach a missing episode", level=1)).to_be_visible()
    page.get_by_role("button", name="Detach the missing episode").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter why this missing episode is no longer covered")
    check_page(page)
    page.get_by_label("Why does this conversation no longer cover it?").fill(
        "She will be offered a conversation about it on its own")
    page.get_by_role("button", name="Detach the missing episode").click()
    expect(page.locator(".rhc-clock")).to_contain_text("Overdue")
    check_page(page)
    db.expire_all()
    assert db.get(Conversation, own_id).status == "to_offer"
