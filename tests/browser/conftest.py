"""Browser fixtures: the test app served on a real port, Debian's Chromium, sign-in through
the real page, axe (WCAG 2.2 A/AA) and a no-sideways-scrolling check."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

VIEWPORTS = {"tablet": {"width": 820, "height": 1180}, "phone": {"width": 390, "height": 844}}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Every browser test waits at most this long for one thing to happen.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def base_url() -> None:
    """pytest-playwright 0.10's own fallback `base_url` is a method on a plugin class, which
    pytest 9 deprecates (an error under our filterwarnings); the live server gives the URL."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The test app on 127.0.0.1 and a free port, for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest, page: Page) -> str:
    """Tablet and phone: every test that asks for this runs at both sizes."""
    page.set_viewport_size(VIEWPORTS[request.param])
    page.set_default_timeout(10_000)
    return str(request.param)


# -- helpers ------------------------------------------------------------------------------
def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill and send the sign-in form on the current page (which must be the sign-in page)."""
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def go_to(page: Page, link: str) -> None:
    """Follow a link in the service navigation (behind the "Menu" button on a phone)."""
    # Until GOV.UK Frontend's script has run, the Menu button is still hidden on a phone.
    expect(page.locator('[data-module="govuk-service-navigation"]')).to_have_attribute(
        "data-govuk-service-navigation-init", "")
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=link, exact=True).click()


def open_and_sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/sign-in")
    sign_in(page, email)


_axe = Axe()


def check_page(page: Page) -> None:
    """The page in front of us: no WCAG 2.2 A/AA violations axe can find, and no sideways
    scrolling (a tablet or phone held upright must show the whole width)."""
    assert_no_horizontal_scroll(page)
    assert_accessible(page)


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], (
        f"{page.url} scrolls sideways: content is {widths['scroll']}px wide in a "
        f"{widths['inner']}px window")


def assert_accessible(page: Page) -> None:
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"axe on {page.url}\n{_report(results.response)}"


def _report(response: dict[str, Any]) -> str:
    lines = []
    for v in response["violations"]:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl']}]")
        for node in v["nodes"][:10]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
                lines.append(f"       * {check['message']}")
    return "\n".join(lines)
