"""Works without signal, and the tablet holds nothing readable (issue 10): in a real Chromium
profile on disk, typing with no signal is queued sealed, the offline page takes a quick note,
everything arrives when the signal returns, and no file of the profile holds a word of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import delete, select

from rhc_app.services.conversations import record_outcome
from rhc_app.store.models import Draft, OfflineKey, OfflineReceipt
from tests.conftest import make_case, now

from .conftest import VIEWPORTS, check_page, open_and_sign_in, sign_in
from .test_capture_journey import area, expire_session, save_status
from .test_capture_never_lost import stored

pytestmark = pytest.mark.browser

NO_SIGNAL = ("No signal. What you type is kept on this tablet, locked, and sent when you "
             "are back online.")
CANARIES = {"Pull factors": "CANARY-PULL she waits at the bus station (invented)",
            "Push factors": "CANARY-PUSH shouting at home most nights (invented)",
            "Victims": "CANARY-VICTIM a younger friend was there too (invented)"}
# "Leave the page?" asked on reload: yes, the words are queued on the tablet.
ACCEPT = lambda dialog: dialog.accept()  # noqa: E731
NOTE = "CANARY-NOTE said the man is called Dorian (invented)"


def _queued(page: Any) -> int:
    """How many items the tablet's queue holds, once the page's script has loaded (a page
    that has just navigated may not have defined it yet)."""
    page.wait_for_function("() => !!(window.rhcOffline && window.rhcOffline.count)")
    return page.evaluate("() => window.rhcOffline.count()")


@pytest.fixture
def tablet(browser_type: Any, browser_type_launch_args: dict[str, Any],
           tmp_path: Path) -> Iterator[tuple[BrowserContext, Path]]:
    """A browser whose profile (IndexedDB, Cache Storage, local storage…) is a folder we read."""
    profile = tmp_path / "profile"
    context = browser_type.launch_persistent_context(
        str(profile), **browser_type_launch_args, viewport=VIEWPORTS["tablet"])
    context.set_default_timeout(10_000)
    yield context, profile
    context.close()


def _open(context: BrowserContext, live_server: str, world: Any, db: Any) -> tuple[Page, str]:
    worker = world.user("north", "worker")
    conv = make_case(db, worker, name="Juniper Testchild").conversation
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    db.commit()
    page = context.pages[0] if context.pages else context.new_page()
    page.on("dialog", ACCEPT)
    open_and_sign_in(page, live_server, worker.email)
    # The first signed-in page starts the service worker; the next one it controls.
    page.wait_for_function("() => window.rhcOffline !== undefined")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.goto(f"{live_server}/conversations/{conv.id}/canvas")
    expect(page.get_by_role("heading", name="The conversation", level=1)).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => window.rhcOffline !== undefined")
    page.evaluate("() => window.rhcOffline.send()")  # and the tablet has the key
    return page, str(conv.id)


def _type_offline(page: Page) -> None:
    """Three areas typed with no signal, each kept as its own item of the queue (sent later
    in order, each building on the version the one before made)."""
    page.context.set_offline(True)
    for label, words in CANARIES.items():
        area(page, label).fill(words)
        expect(save_status(page)).to_have_text(NO_SIGNAL)
    assert _queued(page) == len(CANARIES)


def _files_holding(profile: Path, words: list[str]) -> list[str]:
    found = []
    for path in profile.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for w in words:
                for form in (w.encode("utf-8"), w.encode("utf-16-le")):
                    if form in data:
                        found.append(f"{path.relative_to(profile)}: {w}")
    return found


def test_typed_without_signal_then_reloaded_every_word_arrives_and_nothing_readable_stays(
        tablet: tuple[BrowserContext, Path], live_server: str, world: Any, db: Any) -> None:
    context, profile = tablet
    page, conv_id = _open(context, live_server, world, db)
    _type_offline(page)

    page.reload()  # no signal: the service worker's offline page, nothing of the record
    expect(page.get_by_role("heading", name="No signal", level=1)).to_be_visible()
    expect(page.get_by_text("Juniper")).to_have_count(0)
    check_page(page)
    page.set_viewport_size(VIEWPORTS["phone"])
    check_page(page)
    page.set_viewport_size(VIEWPORTS["tablet"])
    page.get_by_role("button", name="Keep this note").click()  # empty: said next to the box
    expect(page.locator("#offline-note-text-error")).to_be_visible()
    check_page(page)
    page.get_by_label("Quick note").fill(NOTE)
    page.get_by_role("button", name="Keep this note").click()
    expect(page.locator("#offline-status")).to_contain_text("Note kept on this tablet")

    context.set_offline(False)
    status = page.locator("#offline-status")
    expect(status).to_have_text(re.compile(r"^Sent at \d\d:\d\d$"))
    sent = datetime.strptime(status.inner_text()[8:], "%H:%M")
    london = datetime.now(ZoneInfo("Europe/London"))
    assert abs((london.hour * 60 + london.minute) - (sent.hour * 60 + sent.minute)) <= 1

    conv = stored(db, conv_id)
    assert conv.canvas["areas"]["pull_factors"] == CANARIES["Pull factors"]
    assert conv.canvas["areas"]["push_factors"] == CANARIES["Push factors"]
    assert conv.canvas["areas"]["victims"] == CANARIES["Victims"]
    assert [n["text"] for n in conv.canvas["notes"]] == [NOTE]
    assert _queued(page) == 0

    # Each copy built on the one before: saved in order, none met as a conflict.
    assert db.execute(select(OfflineReceipt.outcome)).scalars().all() == ["saved"] * 4
    assert db.execute(select(Draft)).first() is None
    page.goto(f"{live_server}/conversations/{conv_id}/canvas")  # the queue's words are there
    expect(area(page, "Victims")).to_have_value(CANARIES["Victims"])
    kept = page.evaluate("""async () => (await Promise.all((await caches.keys()).map(
        async (name) => (await (await caches.open(name)).keys()).map((r) => r.url)))).flat()""")
    paths = [u.removeprefix(live_server) for u in kept]  # no signed-in page is ever kept
    assert "/offline" in paths and all(p == "/offline" or p.startswith("/assets/") for p in paths)
    context.close()  # everything written down to the profile's files
    assert _files_holding(profile, [*CANARIES.values(), NOTE]) == []


def test_without_the_organisations_private_key_the_queue_cannot_be_opened(
        tablet: tuple[BrowserContext, Path], live_server: str, world: Any, db: Any) -> None:
    context, profile = tablet
    page, conv_id = _open(context, live_server, world, db)
    _type_offline(page)
    db.execute(delete(OfflineKey))
    db.commit()
    context.set_offline(False)
    page.evaluate("() => window.rhcOffline.send()")
    assert stored(db, conv_id).canvas["areas"]["victims"] == ""
    assert _queued(page) >= 1  # kept: never acknowledged
    context.close()
    assert _files_holding(profile, list(CANARIES.values())) == []


def test_signing_out_with_unsent_words_warns_first(tablet: tuple[BrowserContext, Path],
                                                   live_server: str, world: Any, db: Any) -> None:
    context, _profile = tablet
    page, _conv_id = _open(context, live_server, world, db)
    _type_offline(page)
    asked: list[str] = []
    page.remove_listener("dialog", ACCEPT)
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))  # dismiss: stay
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_timeout(500)
    assert any("has not been sent yet" in m for m in asked), asked
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # still signed in
    assert _queued(page) >= 1


def test_the_queue_is_sent_after_signing_in_again(tablet: tuple[BrowserContext, Path],
                                                  live_server: str, world: Any, db: Any) -> None:
    context, _profile = tablet
    page, conv_id = _open(context, live_server, world, db)
    _type_offline(page)
    expire_session(db, world.user("north", "worker").id)  # the tablet sat offline too long
    context.set_offline(False)
    expect(save_status(page)).to_contain_text("You have been signed out. What you typed is kept")
    assert stored(db, conv_id).canvas["areas"]["victims"] == ""
    link = page.get_by_role("link", name="Sign in again to send it")
    back = f"/sign-in?next=%2Fconversations%2F{conv_id}%2Fcanvas"
    expect(link).to_have_attribute("href", back)
    page.goto(live_server + back)
    sign_in(page, world.user("north", "worker").email)
    # Back on the canvas: the queue is sent, and the page shows what it brought.
    expect(area(page, "Victims")).to_have_value(CANARIES["Victims"])
    assert stored(db, conv_id).canvas["areas"]["victims"] == CANARIES["Victims"]
    assert _queued(page) == 0


def test_back_online_on_the_same_page_the_words_are_sent_and_typing_carries_on(
        tablet: tuple[BrowserContext, Path], live_server: str, world: Any, db: Any) -> None:
    context, _profile = tablet
    page, conv_id = _open(context, live_server, world, db)
    _type_offline(page)
    context.set_offline(False)
    expect(save_status(page)).to_have_text(re.compile(r"^Sent at \d\d:\d\d$"))
    assert stored(db, conv_id).canvas["areas"]["victims"] == CANARIES["Victims"]
    # The page builds on the version the queue made: its next save is no conflict.
    area(page, "Themes").fill("Typed once the signal was back (invented)")
    expect(save_status(page)).to_contain_text("Saved at")
    conv = stored(db, conv_id)
    assert conv.canvas["areas"]["themes"] == "Typed once the signal was back (invented)"
    assert conv.canvas["areas"]["pull_factors"] == CANARIES["Pull factors"]
