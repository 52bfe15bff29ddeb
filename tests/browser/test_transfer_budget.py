"""The transfer budget (issue 14): the first load of a signed-in page brings at most 150 KB
over the wire, a repeat visit at most 20 KB. Bytes as Chromium counts them on the network
(CDP encodedDataLength: headers and compressed bodies; nothing for a copy from the cache).

A size budget, not a speed one. The service worker is blocked here so that every byte the
page needs is seen on the page's own network (its own copies are a separate, later matter)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from rhc_app.services.conversations import record_outcome
from tests.conftest import make_case, now

from .conftest import VIEWPORTS, check_page, open_and_sign_in

pytestmark = pytest.mark.browser

FIRST_LOAD = 150 * 1024
REPEAT_VISIT = 20 * 1024


def _fresh_tab(browser: Browser, **kw: Any) -> Page:
    """A browser context of its own: an empty HTTP cache, and no service worker."""
    context = browser.new_context(service_workers="block", viewport=VIEWPORTS["tablet"], **kw)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _transferred(page: Page, url: str, heading: str) -> dict[str, int]:
    """Bytes on the wire for one visit of `url`, by URL (headers and body as sent)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent",
           lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(
        urls.get(e["requestId"], e["requestId"]), int(e["encodedDataLength"])))
    page.goto(url, wait_until="load")
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    cdp.detach()
    return sizes


@pytest.mark.parametrize("where,heading", [("/", "My conversations"),
                                           ("canvas", "The conversation")])
def test_a_signed_in_page_keeps_to_the_transfer_budget(
        browser: Browser, live_server: str, world: Any, db: Any, where: str,
        heading: str) -> None:
    worker = world.user("north", "worker")
    conv = make_case(db, worker, name="Juniper Testchild").conversation
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    db.commit()
    url = f"{live_server}/conversations/{conv.id}/canvas" if where == "canvas" \
        else f"{live_server}/"
    signing_in = _fresh_tab(browser)
    open_and_sign_in(signing_in, live_server, worker.email)
    signed_in = signing_in.context.storage_state()  # the session cookie only: no cache
    signing_in.context.close()

    page = _fresh_tab(browser, storage_state=signed_in)
    first = _transferred(page, url, heading)
    repeat = _transferred(page, url, heading)
    check_page(page)
    page.context.close()
    print(f"\n{where}: first load {sum(first.values())} bytes, "
          f"repeat visit {sum(repeat.values())} bytes")
    assert any("/assets/rhc.css" in u for u in first), first  # the measure saw the assets
    assert sum(first.values()) <= FIRST_LOAD, first
    assert sum(repeat.values()) <= REPEAT_VISIT, repeat
