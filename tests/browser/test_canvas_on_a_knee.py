"""Built for a knee, not a desk (issue 10), on a tablet and a phone: the quick note folded to
one button that still takes and saves a note, the how/where/who folded to one line once
answered, what Complete needs in sight before it is pressed, and the finished record read
(and printed) as a document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversations import complete, record_outcome, save_canvas
from tests.conftest import make_case, now

from .conftest import check_page, open_and_sign_in
from .test_capture_journey import area, flash
from .test_capture_never_lost import open_canvas, stored

pytestmark = pytest.mark.browser

SHOTS = None  # a folder (pathlib.Path) to save screenshots in while working on the layout


def share_of_screen(page: Page, selector: str) -> float:
    """How much of the window's height the element covers where it is on screen now."""
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
             const shown = Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
             return Math.max(shown, 0) / innerHeight; }""", selector)


def test_quick_note_is_one_button_that_still_saves(page: Page, viewport: str, live_server: str,
                                                   world, db) -> None:  # type: ignore[no-untyped-def]
    conv_id = open_canvas(page, live_server, world, db)
    quick = page.locator("#quick-note")
    box = page.get_by_label("Quick note")
    expect(box).to_be_hidden()
    # At the foot of the screen wherever the worker is on the page, and small.
    for scroll in (0, 1500):
        page.evaluate("(y) => window.scrollTo(0, y)", scroll)
        assert share_of_screen(page, "#quick-note") <= 0.15
    expect(quick.locator("summary")).to_be_in_viewport()
    if SHOTS:
        page.screenshot(path=str(SHOTS / f"canvas-closed-{viewport}.png"))
    check_page(page)

    quick.locator("summary").click()
    expect(box).to_be_focused()  # one tap, then type
    box.fill("Keeps looking at the phone when it buzzes (invented)")
    page.get_by_label("Area", exact=True).select_option(label="Offenders")
    if SHOTS:
        page.screenshot(path=str(SHOTS / f"canvas-open-{viewport}.png"))
    check_page(page)
    page.get_by_role("button", name="Add note").click()
    expect(flash(page)).to_contain_text("Note added")
    expect(page.get_by_label("Note 1", exact=True)).to_have_value(
        "Keeps looking at the phone when it buzzes (invented)")
    notes = stored(db, conv_id).canvas["notes"]
    assert [(n["text"], n["area"]) for n in notes] == [
        ("Keeps looking at the phone when it buzzes (invented)", "offenders")]
    # Back from Add note, the box stays open for the next note.
    expect(page.get_by_label("Quick note")).to_be_visible()
    expect(page.get_by_label("Quick note")).to_have_value("")


def bar_top(page: Page) -> float:
    return page.evaluate("document.querySelector('#quick-note').getBoundingClientRect().top")


def test_focused_field_is_kept_above_the_quick_note(page: Page, viewport: str, live_server: str,
                                                    world, db) -> None:  # type: ignore[no-untyped-def]
    open_canvas(page, live_server, world, db)
    # A field just under the quick-note bar, focused as a tap would (the page not scrolled
    # by the browser itself): the canvas brings it up above the bar.
    page.evaluate("""() => { const el = document.querySelector('#actions_detail');
        scrollBy(0, el.getBoundingClientRect().top - innerHeight + 10);
        el.focus({preventScroll: true}); }""")
    box = page.locator("#actions_detail")
    expect(box).to_be_focused()
    page.wait_for_function("""() => document.querySelector('#actions_detail')
        .getBoundingClientRect().bottom <= document.querySelector('#quick-note')
        .getBoundingClientRect().top""")

    # A new person's row: focused, in sight, not under the bar.
    page.get_by_role("button", name="Add a person").click()
    name = page.get_by_role("group", name="Person 1").get_by_label("Name or nickname")
    expect(name).to_be_focused()
    expect(name).to_be_in_viewport()
    assert name.bounding_box()["y"] + name.bounding_box()["height"] <= bar_top(page)
    check_page(page)


def test_areas_first_details_fold_to_one_line(page: Page, viewport: str, live_server: str,
                                              world, db) -> None:  # type: ignore[no-untyped-def]
    conv_id = open_canvas(page, live_server, world, db)
    order = page.evaluate("""() => ['#child_words', '#area-victims', '#details-section',
        '#detail-held_at', '#complete'].map((s) => document.querySelector(s)
        .getBoundingClientRect().top + scrollY)""")
    assert order == sorted(order), "the child's areas first, the details after them"
    # Not answered yet: open, to be filled.
    details = page.locator("#details-section")
    expect(details).to_have_attribute("open", "")
    details.get_by_role("group", name="How", exact=True).get_by_label("Face to face").check()
    details.get_by_label("Where", exact=True).fill("At the library (invented)")
    details.get_by_label("Who was present", exact=True).fill("Their aunt (invented)")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(flash(page)).to_contain_text("Saved")
    assert stored(db, conv_id).canvas["details"]["location"] == "At the library (invented)"

    details = page.locator("#details-section")
    expect(details).not_to_have_attribute("open", "")
    summary = details.locator("summary")
    expect(summary).to_contain_text("Face to face, At the library (invented)")
    line = page.evaluate("""() => { const s = document.querySelector('#details-section summary');
        return {h: s.getBoundingClientRect().height,
                line: parseFloat(getComputedStyle(s.querySelector('span')).lineHeight)}; }""")
    assert line["h"] < 2 * line["line"], line  # one line, however long the answers
    if SHOTS:
        details.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"details-folded-{viewport}.png"))
    # Still reachable from the keyboard, and still posted with the form.
    summary.focus()
    page.keyboard.press("Enter")
    expect(details.get_by_label("Where", exact=True)).to_have_value("At the library (invented)")
    check_page(page)


def test_what_complete_needs_is_in_sight_before_it(page: Page, viewport: str, live_server: str,
                                                   world, db) -> None:  # type: ignore[no-untyped-def]
    open_canvas(page, live_server, world, db)
    # Fold the details as if answered: the two answers Complete needs are outside them.
    page.evaluate("document.querySelector('#details-section').open = false")
    complete_button = page.get_by_role("button", name="Complete the conversation")
    complete_button.scroll_into_view_if_needed()
    held = page.get_by_label("When it was held")
    consent = page.get_by_role("group", name="Does the child consent to sharing with police?")
    expect(held).to_be_visible()
    expect(consent).to_be_visible()
    expect(page.get_by_role("heading", name="Needed to complete")).to_be_visible()
    check_page(page)


def completed_conversation(world, db) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    worker = world.user("north", "worker")
    conv = make_case(db, worker, name="Saffron Testchild").conversation
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=3))
    canvas = empty_canvas()
    canvas["details"].update(held_at=(now() - timedelta(hours=1)).isoformat(),
                             consent_to_share="yes", method="face_to_face",
                             location="At the park café (invented)")
    canvas["child_words"] = "I just wanted to be somewhere quiet.\nNobody made me go."
    canvas["areas"]["pull_factors"] = "Went to see a friend from the old school (invented)."
    canvas["people"] = [{"name": "Jay (invented)", "approximate_age": "17"}]
    canvas["notes"] = [{"text": "Has a bus pass that is not theirs", "area": "themes", "at": ""}]
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    complete(db, worker, conv, worker.organisation)
    db.commit()
    return str(conv.id), worker.email


def test_completed_record_reads_and_prints_as_a_document(page: Page, viewport: str,
                                                         live_server: str, world, db) -> None:  # type: ignore[no-untyped-def]
    conv_id, email = completed_conversation(world, db)
    open_and_sign_in(page, live_server, email)
    page.goto(f"{live_server}/conversations/{conv_id}")
    page.get_by_role("button", name="View the record").click()
    expect(page.get_by_role("heading", name="The conversation record")).to_be_visible()
    expect(page.locator("textarea, input:not([type=hidden])")).to_have_count(0)
    expect(page.locator(".rhc-words")).to_contain_text("I just wanted to be somewhere quiet.")
    areas = page.locator("#area-list")
    expect(areas.locator(".govuk-summary-list__row", has_text="Pull factors")).to_contain_text(
        "Went to see a friend from the old school (invented).")
    expect(page.locator(".govuk-summary-card", has_text="Person 1")).to_contain_text(
        "Jay (invented)")
    how = page.locator(".govuk-summary-list__row", has=page.get_by_text("How", exact=True))
    expect(how).to_contain_text("Face to face")
    check_page(page)

    # Located by CSS, not by role: a role query skips what is hidden, so would pass anyway.
    for shown in (".govuk-service-navigation", ".govuk-back-link", "footer form"):
        expect(page.locator(shown)).to_be_visible() if shown != ".govuk-service-navigation" \
            else expect(page.locator(shown)).to_be_attached()
    page.emulate_media(media="print")
    for hidden in (".govuk-service-navigation", ".govuk-back-link", "footer form"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#marking")).to_be_visible()
    expect(page.locator("#marking")).to_have_text("OFFICIAL-SENSITIVE")
    expect(page.get_by_text("Records here are OFFICIAL-SENSITIVE")).to_be_visible()
    expect(areas).to_be_visible()
    if SHOTS:
        page.screenshot(path=str(SHOTS / f"record-print-{viewport}.png"), full_page=True)
    page.emulate_media(media="screen")


def test_canvas_prints_without_the_quick_note(page: Page, viewport: str, live_server: str,
                                              world, db) -> None:  # type: ignore[no-untyped-def]
    open_canvas(page, live_server, world, db)
    area(page, "Victims").fill("Says nobody hurt them.")
    page.emulate_media(media="print")
    for hidden in ("#quick-note", "#complete", ".govuk-service-navigation", ".govuk-back-link"):
        expect(page.locator(hidden)).to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.locator("#quick-note")).to_be_visible()
