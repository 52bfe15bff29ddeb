"""Connections (issue 16) in a browser: the manager's list from the menu, one connection's
page, a date that does not exist, and the hotspots; the Do not share box on the canvas.
Every page is checked with axe and for sideways scrolling, at tablet and phone size."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from rhc_app.store.models import Conversation
from tests.services.test_links import held

from .conftest import check_page, open_and_sign_in
from .helpers import go_to

pytestmark = pytest.mark.browser


def test_connections_pages(page: Page, viewport: str, live_server: str, world, db,  # type: ignore[no-untyped-def]
                           ) -> None:
    person = {"name": "Jaybird (invented)", "description": "red cap",
              "concern": "texts on 07700 900123, drives AB12 CDE"}
    garage = {"name": "The old garage (invented)", "area": "M1 2AB", "slept_there": "yes"}
    held(db, world.user("north", "worker"), [person], [garage])
    held(db, world.user("north", "worker2"), [{**person, "name": "JB (invented)"}], [garage])
    open_and_sign_in(page, live_server, world.user("north", "manager").email)
    go_to(page, "Connections")
    expect(page.get_by_role("heading", name="Connections between children", level=1)
           ).to_be_visible()
    table = page.get_by_role("table", name=re.compile("^Connections"))
    expect(table).to_contain_text("Same phone number")
    expect(table).to_contain_text("Same vehicle registration")
    check_page(page)

    table.get_by_role("link", name=re.compile("^Connection 1")).click()
    expect(page.get_by_role("heading", name=re.compile("^Connection between 2 children"))
           ).to_be_visible()
    expect(page.get_by_role("table", name="Where they were named")).to_contain_text(
        "JB (invented)")
    check_page(page)

    page.get_by_role("link", name="Back to connections").click()
    group = page.get_by_role("group", name="From")
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("2")
    page.get_by_role("button", name="Show connections").click()
    expect(page.get_by_role("link", name="From must be a real date, for example 27 3 2011")
           ).to_be_visible()
    check_page(page)

    page.get_by_role("link", name=re.compile("^See hotspots")).click()
    spots = page.get_by_role("table", name=re.compile("^Hotspots"))
    expect(spots).to_contain_text("The old garage (invented)")
    expect(spots).to_contain_text("Postcode district")
    check_page(page)


def test_do_not_share_on_the_canvas(page: Page, viewport: str, live_server: str, world, db,  # type: ignore[no-untyped-def]
                                    ) -> None:
    worker = world.user("north", "worker")
    conv = held(db, worker, [{"name": "Jaybird (invented)"}],
                [{"name": "The old garage (invented)", "area": "M1"}])
    open_and_sign_in(page, live_server, worker.email)
    page.goto(f"{live_server}/conversations/{conv.id}/canvas")
    person = page.get_by_role("group", name="Person 1")
    person.get_by_label("Do not share").check()
    check_page(page)
    with page.expect_navigation():  # the page after the save, not the one before
        page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_role("group", name="Person 1").get_by_label("Do not share")).to_be_checked()
    expect(page.get_by_role("group", name="Place 1").get_by_label("Do not share")
           ).not_to_be_checked()
    db.expire_all()
    assert db.get(Conversation, conv.id).canvas["people"][0]["do_not_share"] == "yes"


def test_police_intelligence_from_a_connection(page: Page, viewport: str, live_server: str,  # type: ignore[no-untyped-def]
                                               world, db) -> None:
    person = {"name": "Jaybird (invented)", "description": "red cap",
              "concern": "texts on 07700 900123"}
    held(db, world.user("north", "worker"), [person])
    held(db, world.user("north", "worker2"), [{**person, "name": "JB (invented)"}])
    open_and_sign_in(page, live_server, world.user("north", "manager").email)
    go_to(page, "Connections")
    expect(page.get_by_role("link", name=re.compile("^Download the panel pack \\(PDF\\)"))
           ).to_be_visible()
    page.get_by_role("table", name=re.compile("^Connections")).get_by_role(
        "link", name=re.compile("^Connection 1")).click()
    page.get_by_role("button", name="Record as police intelligence").click()
    expect(page.get_by_text("Recorded as police intelligence on 2 conversations")).to_be_visible()
    check_page(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the police intelligence (CSV)").click()
    assert download.value.suggested_filename.startswith("rhc-police-intelligence-")
