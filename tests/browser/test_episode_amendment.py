"""The pages of finding 1 in a real browser, at tablet and phone size: amending the episode of
a completed conversation (with its errors showing), the amendment trail, and a child page that
lists only the viewer's episodes. axe finds no WCAG 2.2 A/AA violations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversations import complete, record_outcome, save_canvas
from tests.conftest import make_case, now

from .conftest import check_page, open_and_sign_in

pytestmark = pytest.mark.browser


def _completed(db, worker):  # type: ignore[no-untyped-def]
    episode = make_case(db, worker, name="Juniper Testchild", ref="JT-A11Y-1")
    conv = episode.conversation
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=6))
    canvas = empty_canvas()
    canvas["details"].update(held_at=(now() - timedelta(hours=5)).isoformat(),
                             consent_to_share="yes")
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    complete(db, worker, conv, worker.organisation)
    db.commit()
    return episode


def test_amend_the_episode_of_a_completed_conversation(page: Page, viewport: str,
                                                      live_server: str, world, db) -> None:  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    episode = _completed(db, worker)
    open_and_sign_in(page, live_server, worker.email)
    page.goto(f"{live_server}/conversations/{episode.conversation.id}")
    page.get_by_role("link", name="Amend the missing episode").click()
    expect(page.get_by_role("heading", name="Amend the missing episode", level=1)).to_be_visible()
    page.get_by_label("Police reference").fill("PR/999/2026")
    page.get_by_role("button", name="Save amendment").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason for the amendment")
    expect(page.get_by_label("Police reference")).to_have_value("PR/999/2026")
    check_page(page)
    page.get_by_label("Reason for the amendment").fill("The police gave a new reference")
    page.get_by_role("button", name="Save amendment").click()
    trail = page.locator("#amendments")
    expect(trail).to_contain_text("The police gave a new reference")
    expect(trail).to_contain_text("Police reference: PR/123/2026 to PR/999/2026")
    check_page(page)


def test_child_page_with_a_colleagues_episode(page: Page, viewport: str, live_server: str,
                                              world, db) -> None:  # type: ignore[no-untyped-def]
    make_case(db, world.user("north", "worker"), name="Juniper Testchild", ref="JT-A11Y-2")
    mine = make_case(db, world.user("north", "worker2"), ref="JT-A11Y-2")
    open_and_sign_in(page, live_server, world.user("north", "worker2").email)
    page.goto(f"{live_server}/children/{mine.child_id}")
    expect(page.get_by_text("Colleagues hold other missing episodes")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    check_page(page)
