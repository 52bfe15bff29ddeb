"""One whole Return Home Conversation, the way a worker does it on a tablet (and on a phone):
add the child and the missing episode, see the 72-hour clock, record a contact attempt and
the child's answer, fill the canvas in the order the conversation went, lose the session
mid-sentence and get the text back, meet an edit conflict from a second tab, then complete.
Every page visited is checked with axe and for sideways scrolling."""

from __future__ import annotations

import io
import json
import logging
import re
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import update
from werkzeug.wrappers import Request

from rhc_app.services.conversations import record_outcome
from rhc_app.store.db import utcnow
from rhc_app.store.models import WebSession
from tests.conftest import make_case, now
from tests.reliability_plugin import report

from .conftest import VIEWPORTS, check_page, go_to, open_and_sign_in, sign_in

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")
CHILD = "Marigold Testchild"  # invented
CASE_REF = "NM-BROWSER-0001"


def uk_local(hours_ago: float) -> str:
    """A value for <input type="datetime-local">: the UK wall clock, `hours_ago` hours back."""
    return (datetime.now(LONDON) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def flash(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner")


def save_status(page: Page) -> Locator:
    return page.locator("#save-status")


def press_save(page: Page) -> None:
    """The canvas's Save button: wait for the new page (the one before may show "Saved" too)."""
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(flash(page)).to_contain_text("Saved")


# -- steps ----------------------------------------------------------------------------------
def add_child(page: Page) -> None:
    go_to(page, "Children")
    expect(page.get_by_role("heading", name="Children", level=1)).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Add a child").click()
    expect(page.get_by_role("heading", name="Add a child")).to_be_visible()
    check_page(page)
    page.get_by_label("Full name").fill(CHILD)
    page.get_by_label("Case reference").fill(CASE_REF)
    dob = page.get_by_role("group", name="Date of birth")
    dob.get_by_label("Day").fill("14")
    dob.get_by_label("Month").fill("2")
    dob.get_by_label("Year").fill("2011")
    page.get_by_role("group", name="Gender").get_by_label("Female").check()
    page.get_by_label("No, at home").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(flash(page)).to_contain_text("Child added. Now add the missing episode.")


def add_episode(page: Page) -> None:
    expect(page.get_by_role("heading", name="Add a missing episode")).to_be_visible()
    check_page(page)
    page.get_by_label("Reported missing").fill(uk_local(hours_ago=40))
    page.get_by_label("Found or returned").fill(uk_local(hours_ago=20))
    page.get_by_label("Where found").fill("Bus station (invented)")
    page.get_by_role("group", name="Missing from").get_by_label("Home").check()
    page.get_by_role("group", name="Police risk grade").get_by_label("High").check()
    page.get_by_role("button", name="Save episode").click()
    expect(flash(page)).to_contain_text("Missing episode added")
    check_page(page)


def open_from_my_conversations(page: Page) -> None:
    go_to(page, "My conversations")
    card = page.locator("#conversations > li", has_text=CHILD)
    # Found 20 hours ago: about 52 of the 72 hours are left.
    expect(card.locator(".rhc-clock")).to_contain_text(re.compile(r"2 days [34] hours left"))
    expect(card).to_contain_text("To offer")
    check_page(page)
    card.get_by_role("link", name=CHILD).click()
    expect(page.get_by_role("heading", name="Return home conversation")).to_be_visible()
    check_page(page)


def record_contact_attempt(page: Page) -> None:
    page.get_by_text("Record an attempt to make contact").click()
    attempt = page.locator("form[action$='/attempts']")
    attempt.get_by_label("When").fill(uk_local(hours_ago=3))
    attempt.get_by_role("group", name="How").get_by_label("Phone").check()
    attempt.get_by_label("What happened").fill("Spoke to the carer; the child will meet today.")
    check_page(page)
    attempt.get_by_role("button", name="Record attempt").click()
    expect(flash(page)).to_contain_text("Contact attempt recorded")
    expect(page.locator("table")).to_contain_text("Phone")
    check_page(page)


def record_accepted(page: Page) -> None:
    outcome = page.locator("form[action$='/outcome']")
    outcome.get_by_label("The child accepted").check()
    outcome.get_by_label("When").fill(uk_local(hours_ago=1))
    outcome.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="The conversation", level=1)).to_be_visible()
    expect(flash(page)).to_contain_text("Saved")
    check_page(page)


def area(page: Page, label: str) -> Locator:
    """Open an area of the canvas (a <details>) if closed, and give back its text box."""
    section = page.locator("details.rhc-area", has=page.locator("summary", has_text=label))
    if section.get_attribute("open") is None:
        section.locator("summary").first.click()
    box = section.get_by_role("textbox", name=label, exact=True)
    expect(box).to_be_visible()
    return box


def type_and_wait_for_autosave(page: Page, box: Locator, text: str) -> None:
    box.fill(text)
    expect(save_status(page)).to_contain_text("Saved at")


def fill_areas_in_conversation_order(page: Page) -> None:
    # The child talked about who they went to see first, then whether they were hurt,
    # then where they slept: the canvas follows the child, not a script.
    type_and_wait_for_autosave(page, area(page, "Pull factors"),
                               "Wanted to see an older friend who buys them food.")
    type_and_wait_for_autosave(page, area(page, "Victims"),
                               "Says nobody hurt them. Was tired and hungry.")
    type_and_wait_for_autosave(page, area(page, "Locations"), "Stayed at a flat near the park.")
    check_page(page)


def add_person_and_place(page: Page) -> None:
    page.get_by_role("button", name="Add a person").click()
    person = page.get_by_role("group", name="Person 1")
    expect(person.get_by_label("Name or nickname")).to_have_value("")
    check_page(page)
    person.get_by_label("Name or nickname").fill("Dee (invented)")
    person.get_by_label("Approximate age").fill("19")
    type_and_wait_for_autosave(page, person.get_by_label("How the child knows them"),
                               "Friend of a friend")

    page.get_by_role("button", name="Add a place").click()
    place = page.get_by_role("group", name="Place 1")
    expect(place.get_by_label("Name or description")).to_have_value("")
    expect(page.get_by_role("group", name="Person 1").get_by_label("Name or nickname")
           ).to_have_value("Dee (invented)")
    place.get_by_label("Area or postcode").fill("Northmoor town centre")
    place.get_by_role("group", name="Did the child sleep there?").get_by_label("Yes").check()
    type_and_wait_for_autosave(page, place.get_by_label("Name or description"),
                               "Flat above the takeaway (invented)")
    check_page(page)


def add_quick_note(page: Page) -> None:
    quick = page.locator("#quick-note")  # one button at the foot of the screen until opened
    if quick.get_attribute("open") is None:
        quick.locator("summary").click()
    page.get_by_label("Quick note").fill("Has a new phone they will not explain")
    page.get_by_label("Area", exact=True).select_option(label="Offenders")
    page.get_by_role("button", name="Add note").click()
    expect(flash(page)).to_contain_text("Note added")
    expect(page.get_by_label("Note 1", exact=True)).to_have_value(
        "Has a new phone they will not explain")
    expect(page.get_by_label("Quick note")).to_have_value("")
    check_page(page)


def expire_session(db, user_id: str) -> None:  # type: ignore[no-untyped-def]
    """As if the tablet sat untouched for 20 minutes: the session is past its idle limit."""
    db.execute(update(WebSession).where(WebSession.user_id == user_id)
               .values(last_seen_at=utcnow() - timedelta(minutes=20)))
    db.commit()


LOCATIONS_AFTER_SIGN_IN = ("Stayed at a flat near the park. Slept on the sofa; two older boys "
                           "were there.")


def lose_session_mid_typing(page: Page, db, user_id: str, email: str) -> None:  # type: ignore[no-untyped-def]
    text = LOCATIONS_AFTER_SIGN_IN
    box = area(page, "Locations")
    box.fill(text)  # autosave is now due in 1.5 s
    expect(save_status(page)).to_have_text("Typing…")
    expire_session(db, user_id)
    expect(save_status(page)).to_contain_text("You have been signed out")
    expect(page.get_by_role("alert").filter(has_text="You have been signed out")
           ).to_contain_text("What you typed has been kept")
    expect(box).to_have_value(text)
    check_page(page)

    page.get_by_role("link", name="Sign in again").click()
    expect(flash(page)).to_contain_text("What you typed has been kept")
    check_page(page)
    sign_in(page, email)
    expect(page.get_by_role("heading", name="The conversation", level=1)).to_be_visible()
    expect(flash(page)).to_contain_text("We kept what you typed before you were signed out")
    expect(area(page, "Locations")).to_have_value(text)
    check_page(page)
    press_save(page)
    expect(area(page, "Locations")).to_have_value(text)


def resolve_edit_conflict(page: Page, viewport: str) -> None:
    # A second tab on the same conversation (same browser, same session): save there first.
    tab2 = page.context.new_page()
    tab2.set_viewport_size(VIEWPORTS[viewport])
    tab2.goto(page.url.split("#")[0])
    area(tab2, "Push factors").fill("Arguments at home about curfew (saved in tab 2).")
    press_save(tab2)
    tab2.close()

    # Back in the first tab, still on the old version: typing there must not overwrite.
    page.bring_to_front()
    area(page, "Worker's analysis").fill("Pull towards older peers; risk of exploitation.")
    banner = page.locator("#conflict")
    expect(banner).to_contain_text("Someone else saved this conversation while you were typing")
    expect(banner).to_be_focused()
    # Both versions: ours in the boxes, theirs under the box where they differ.
    analysis = area(page, "Worker's analysis")
    expect(analysis).to_have_value("Pull towards older peers; risk of exploitation.")
    push = area(page, "Push factors")
    expect(push).to_have_value("")
    theirs = page.locator("#area-push_factors-section .rhc-theirs")
    expect(theirs).to_contain_text("Arguments at home about curfew (saved in tab 2).")
    check_page(page)

    push.fill("Arguments at home about curfew (saved in tab 2).")
    press_save(page)
    expect(page.locator("#conflict")).to_have_count(0)
    expect(area(page, "Push factors")).to_have_value(
        "Arguments at home about curfew (saved in tab 2).")
    expect(area(page, "Worker's analysis")).to_have_value(
        "Pull towards older peers; risk of exploitation.")


def complete_conversation(page: Page) -> None:
    details = page.locator("#details-section")  # how, where and who: after the areas
    if details.get_attribute("open") is None:
        details.locator("summary").first.click()
    page.get_by_label("When it was held").fill(uk_local(hours_ago=1))
    page.get_by_role("group", name="How", exact=True).get_by_label("Face to face").check()
    page.get_by_label("Where", exact=True).fill("At a café near school")
    page.get_by_role("group", name="Does the child consent to sharing with police?"
                     ).get_by_label("Yes").check()
    check_page(page)
    press_save(page)

    page.get_by_role("button", name="Complete the conversation").click()
    expect(flash(page)).to_contain_text("Conversation completed")
    expect(page.get_by_role("heading", name="Return home conversation")).to_contain_text(
        "Completed")
    check_page(page)

    page.get_by_role("button", name="View the record").click()
    expect(page.get_by_role("heading", name="The conversation record")).to_be_visible()
    # Everything said in the conversation made it into the record, read as a document.
    def row(label: str) -> Locator:
        return page.locator("#area-list .govuk-summary-list__row",
                            has=page.get_by_text(label, exact=True))
    expect(row("Pull factors")).to_contain_text("Wanted to see an older friend who buys them food.")
    expect(row("Victims")).to_contain_text("Says nobody hurt them. Was tired and hungry.")
    expect(row("Locations")).to_contain_text(LOCATIONS_AFTER_SIGN_IN)
    expect(row("Push factors")).to_contain_text("Arguments at home about curfew (saved in tab 2).")
    expect(page.locator(".govuk-summary-card", has_text="Person 1")).to_contain_text(
        "Dee (invented)")
    expect(page.locator(".govuk-summary-card", has_text="Place 1")).to_contain_text(
        "Flat above the takeaway (invented)")
    expect(page.locator("#note-list")).to_contain_text("Has a new phone they will not explain")
    expect(page.locator("textarea, input:not([type=hidden])")).to_have_count(0)
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Complete the conversation")).to_have_count(0)
    expect(save_status(page)).to_have_count(0)
    check_page(page)


# -- the journey ----------------------------------------------------------------------------
# Values typed in the journey that must never be stored or written anywhere in plaintext.
CANARIES = (CHILD, CASE_REF, "Dee (invented)", "Flat above the takeaway (invented)",
            "Has a new phone they will not explain", "Arguments at home about curfew",
            "Spoke to the carer; the child will meet today.", "Bus station (invented)")


def _written_since(folder: Path, since: float) -> list[Path]:
    """Files under `folder` written during the journey, apart from the browser's own profile
    and downloads (the tablet's side, not the server's)."""
    out = []
    for path in folder.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime >= since \
                    and not any(p.startswith(("playwright", ".org.chromium")) for p in path.parts):
                out.append(path)
        except OSError:  # a file another process removed while we walked
            continue
    return out


def assert_no_plaintext(app, started: float, log_text: str,  # type: ignore[no-untyped-def]
                        own_temp_folder: Path) -> None:
    """After the whole journey: no canary in the SQLite file and its WAL, the logs, or any file
    written to the app's temp folder (the run's own, see `own_temp_folder`) or the instance
    folder."""
    instance = Path(app.config["INSTANCE_PATH"])
    sqlite = sorted(instance.glob("rhc.sqlite3*"))
    assert instance / "rhc.sqlite3" in sqlite  # and its -wal and -shm while the app runs
    temp = Path(tempfile.gettempdir())
    assert temp.is_relative_to(own_temp_folder)  # never the machine's shared /tmp
    files = {*sqlite, *_written_since(instance, started), *_written_since(temp, started)}
    variants = {v: (v.encode(), v.encode().lower(), v.encode("utf-16-le")) for v in CANARIES}
    leaks = []
    for f in files:
        try:
            data = f.read_bytes()
        except OSError:  # another user's file, or one removed since: not written by this app
            continue
        leaks += [(str(f), v) for v, forms in variants.items() if any(form in data for form in forms)]
    assert leaks == []
    assert [v for v in CANARIES if v.casefold() in log_text.casefold()] == []
    report("plaintext (browser journey)", f"{len(CANARIES)} canaries typed in a whole browser journey: "
           f"none in the SQLite file, its WAL, the logs or {len(files)} files written to the instance "
           "and temp folders")


def test_capture_journey(page: Page, viewport: str, live_server: str, app, world, db,
                         caplog, own_temp_folder) -> None:  # type: ignore[no-untyped-def]
    for name in (None, "sqlalchemy.engine", "rhc_app", "werkzeug"):
        caplog.set_level(logging.DEBUG if name != "sqlalchemy.engine" else logging.INFO, logger=name)
    started = time.time() - 1  # file times are whole seconds on some file systems
    worker = world.user("north", "worker")
    worker_id, email = worker.id, worker.email

    open_and_sign_in(page, live_server, email)
    expect(page.get_by_role("heading", name="My conversations")).to_be_visible()
    check_page(page)

    add_child(page)
    add_episode(page)
    open_from_my_conversations(page)
    record_contact_attempt(page)
    record_accepted(page)
    fill_areas_in_conversation_order(page)
    add_person_and_place(page)
    add_quick_note(page)
    lose_session_mid_typing(page, db, worker_id, email)
    resolve_edit_conflict(page, viewport)
    complete_conversation(page)
    assert "INSERT INTO" in caplog.text  # the log really holds the SQL and its parameters
    assert_no_plaintext(app, started, caplog.text + "\n".join(str(r.args) for r in caplog.records),
                        own_temp_folder)


# -- the Save button and the autosave must not race -----------------------------------------
# The guard is canvas.js's submit handler: it cancels the autosave that is due, and holds the
# post while an autosave is on its way, to send it with the version that autosave gets back.
# Without it both tests below end on the conflict page; they also check, at the server, the
# order and the version each post arrived with, so they test the guard, not the timing.
class Posts:
    """WSGI middleware that records, in order, each canvas post ("autosave" or "page") as it
    reaches the server, with its base version, before handling it."""

    def __init__(self, wsgi_app) -> None:  # type: ignore[no-untyped-def]
        self.wsgi_app = wsgi_app
        self.arrived: list[tuple[str, str | None]] = []

    def record(self, environ) -> str | None:  # type: ignore[no-untyped-def]
        if environ["REQUEST_METHOD"] != "POST":
            return None
        path = environ["PATH_INFO"]
        kind = "autosave" if path.endswith("/autosave") else "page" if path.endswith(
            "/canvas") else None
        if kind is None:
            return None
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        request = Request(dict(environ, **{"wsgi.input": io.BytesIO(body)}))
        self.arrived.append((kind, request.form.get("base_version")))
        return kind

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        self.record(environ)
        return self.wsgi_app(environ, start_response)


class SlowSaves(Posts):
    """A full-page post of the canvas waits `delay` seconds before it is handled (a slow
    mobile network), so an autosave could overtake it."""

    def __init__(self, wsgi_app, delay: float) -> None:  # type: ignore[no-untyped-def]
        super().__init__(wsgi_app)
        self.delay = delay

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        if self.record(environ) == "page":
            time.sleep(self.delay)
        return self.wsgi_app(environ, start_response)


class SlowAutosaveAnswers(Posts):
    """An autosave is saved at once but its answer takes `delay` seconds to come back; `saved`
    is set meanwhile, so a test can press a button then. `answered` lists, in the order of
    `arrived`, when each autosave's answer left, with the version it gave."""

    def __init__(self, wsgi_app, delay: float) -> None:  # type: ignore[no-untyped-def]
        super().__init__(wsgi_app)
        self.delay = delay
        self.saved = threading.Event()

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        if self.record(environ) != "autosave":
            return self.wsgi_app(environ, start_response)
        answer = self.wsgi_app(environ, start_response)
        body = b"".join(answer)
        getattr(answer, "close", lambda: None)()
        self.saved.set()
        time.sleep(self.delay)
        self.arrived.append(("answered", str(json.loads(body)["version"])))
        return [body]


def accepted_canvas(page: Page, live_server: str, world, db) -> None:  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name=CHILD)
    record_outcome(db, worker, episode.conversation, "accepted", now() - timedelta(hours=1))
    db.commit()
    page.set_viewport_size(VIEWPORTS["tablet"])
    open_and_sign_in(page, live_server, worker.email)
    page.goto(f"{live_server}/conversations/{episode.conversation.id}/canvas")


def assert_saved_without_conflict(page: Page) -> None:
    expect(page.locator("#conflict")).to_have_count(0)
    expect(area(page, "Victims")).to_have_value("Says nobody hurt them.")
    # Nothing left behind to come back as a "kept" version next time.
    page.reload()
    expect(page.get_by_text("We kept what you typed")).to_have_count(0)
    expect(page.locator("#conflict")).to_have_count(0)


def test_save_pressed_while_an_autosave_is_answered_is_not_a_conflict(
        page: Page, live_server: str, app, world, db) -> None:  # type: ignore[no-untyped-def]
    """The Save button's post must carry the version the autosave on its way gets back."""
    accepted_canvas(page, live_server, world, db)
    slow = SlowAutosaveAnswers(app.wsgi_app, delay=1.5)
    app.wsgi_app = slow
    area(page, "Victims").fill("Says nobody hurt them.")
    assert slow.saved.wait(timeout=10), "no autosave reached the server"
    press_save(page)
    assert_saved_without_conflict(page)
    # The post was held until the autosave's answer, and carried the version it gave.
    (kind, before), (answer, version), (page_post, base) = slow.arrived[:3]
    assert (kind, answer, page_post) == ("autosave", "answered", "page"), slow.arrived
    assert base == version == str(int(before) + 1), slow.arrived


def test_save_straight_after_typing_is_not_a_conflict(page: Page, live_server: str, app,
                                                       world, db) -> None:  # type: ignore[no-untyped-def]
    """Typing then pressing Save at once, on a slow network: the autosave that was due must
    not be sent behind the Save button's post (both carry the same version, so one of them
    would be refused, and the worker shown a conflict with their own autosave)."""
    accepted_canvas(page, live_server, world, db)
    slow = SlowSaves(app.wsgi_app, delay=2.5)  # longer than the 1.5 s before an autosave
    app.wsgi_app = slow
    area(page, "Victims").fill("Says nobody hurt them.")
    press_save(page)
    assert_saved_without_conflict(page)
    assert [kind for kind, _ in slow.arrived] == ["page"], slow.arrived  # the autosave was dropped
