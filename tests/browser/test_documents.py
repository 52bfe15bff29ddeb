"""The summary written to the child, read back with them, and the two PDFs, the way the
worker who held the conversation does it: from the conversation overview to the downloads.
The pages are checked with axe and for sideways scrolling at tablet and phone size; the
downloads are checked at tablet size."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversations import record_outcome, save_canvas
from rhc_app.store.models import Conversation
from tests.conftest import make_case, now

from .conftest import check_page, open_and_sign_in
from .helpers import download, pdf_pages

pytestmark = pytest.mark.browser

CHILD = "Wren Testchild"  # invented
FIRST_NAME, SURNAME = CHILD.split()
CASE_REF = "WT-5520"
OTHER_PERSON = "Jax Madeupperson"  # invented
PDF_PASSWORD = "plum-kettle-orbit-42"  # 20 characters
JARGON_TEXT = ("Hi Wren,\n\nWe talked about CSE. The perpetrator gave you money and a phone.\n\n"
               "What happens next is we meet again on Friday.")


@pytest.fixture
def held(world, db) -> Conversation:  # type: ignore[no-untyped-def]
    """A conversation held an hour ago by the north worker, with a canvas filled in."""
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name=CHILD, ref=CASE_REF)
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    canvas = empty_canvas()
    canvas["areas"].update(locations="We went to the bus station and then the park",
                           worker_analysis="Worker thinks an older man is grooming her",
                           child_wants="I want to see my nan at weekends")
    canvas["details"].update(held_at=(now() - timedelta(hours=1)).isoformat(),
                             consent_to_share="yes", method="face_to_face")
    canvas["people"] = [{"name": OTHER_PERSON, "description": "older", "approximate_age": "20",
                         "relationship": "met online", "concern": "gives her money"}]
    result = save_canvas(db, worker, conv, canvas, conv.version)
    assert result.applied, result
    db.commit()
    return conv


def summary_box(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("textbox", name="Summary for the child")


def open_summary_from_overview(page: Page, base: str, conv_id: str) -> None:
    page.goto(f"{base}/conversations/{conv_id}")
    expect(page.get_by_role("heading", name="Return home conversation")).to_be_visible()
    page.get_by_role("link", name="Summary for the child").click()
    expect(page.get_by_role("heading", name="Summary for the child", level=1)).to_be_visible()


def draft_with_readability_panel(page: Page) -> None:
    # Nothing saved yet: a first draft made from the record, for the child.
    expect(page.get_by_text("This is a first draft made from the record")).to_be_visible()
    expect(summary_box(page)).to_have_value(re.compile(FIRST_NAME))
    draft = summary_box(page).input_value()
    assert "grooming" not in draft and OTHER_PERSON not in draft  # analysis, third parties
    panel = page.get_by_role("complementary", name="How easy is it to read?")
    expect(panel).to_be_visible()
    expect(panel.locator("#reading-age")).to_be_visible()
    expect(panel.locator("#reading-age")).to_have_text(re.compile(r"^\s*\d+\s*$"))
    check_page(page)


def check_empty_summary_is_refused(page: Page) -> None:
    summary_box(page).fill("")
    page.get_by_role("button", name="Save the summary").click()
    expect(page.get_by_role("alert")).to_contain_text("Write the summary for the child")
    expect(page).to_have_title(re.compile("^Error: "))
    check_page(page)


def check_jargon(page: Page) -> None:
    summary_box(page).fill(JARGON_TEXT)
    page.get_by_role("button", name="Check readability").click()
    jargon = page.locator("#jargon")
    expect(jargon).to_be_visible()
    expect(page.get_by_role("heading", name="Words to change (2)")).to_be_visible()
    cse = jargon.locator(".govuk-summary-list__row", has=page.locator("dt", has_text="CSE"))
    expect(cse.locator("dd")).to_contain_text("Try: say what happened")
    perp = jargon.locator(".govuk-summary-list__row",
                          has=page.locator("dt", has_text="perpetrator"))
    expect(perp.locator("dd")).to_contain_text("Try: the person who hurt you")
    # Checking keeps the text as typed and saves nothing.
    expect(summary_box(page)).to_have_value(JARGON_TEXT)
    expect(page.get_by_role("link", name="Read it back with the child")).to_have_count(0)
    check_page(page)


def save_summary(page: Page) -> None:
    page.get_by_role("button", name="Save the summary").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Summary saved")
    expect(summary_box(page)).to_have_value(JARGON_TEXT)
    check_page(page)


def read_back_with_the_child(page: Page) -> None:
    page.get_by_role("link", name="Read it back with the child").click()
    expect(page.get_by_role("heading", name="What we talked about")).to_be_visible()
    text = page.locator("#summary-text")
    expect(text).to_contain_text("The perpetrator gave you money and a phone.")
    expect(text).to_contain_text("What happens next is we meet again on Friday.")
    # Only the summary: no header, no navigation, no footer with the worker's name.
    expect(page.locator("header")).to_have_count(0)
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    # ...in large type, bigger than the body text of the page.
    sizes = page.evaluate("""() => ({
        summary: parseFloat(getComputedStyle(document.querySelector('#summary-text p')).fontSize),
        body: parseFloat(getComputedStyle(document.body).fontSize)})""")
    assert sizes["summary"] >= 24 and sizes["summary"] > sizes["body"], sizes
    check_page(page)

    page.get_by_role("button", name="We read it together: it is right").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Marked as read back to the child")
    expect(page.locator(".govuk-tag", has_text="Read back")).to_be_visible()
    check_page(page)


def open_documents(page: Page) -> None:
    page.get_by_role("link", name="Download the child's copy and the police PDF").click()
    expect(page.get_by_role("heading", name="Documents", level=1)).to_be_visible()
    expect(page.get_by_text("These PDFs are OFFICIAL-SENSITIVE")).to_be_visible()
    check_page(page)


def check_short_password_is_refused(page: Page) -> None:
    page.locator("#child-password").fill("too-short")
    page.get_by_role("button", name="Download the child's copy").click()
    expect(page.get_by_role("alert")).to_contain_text("The password must be 12 to 128 characters")
    check_page(page)


def assert_no_child_name(filename: str) -> None:
    lowered = filename.lower()
    assert FIRST_NAME.lower() not in lowered and SURNAME.lower() not in lowered, filename
    assert filename.endswith(".pdf"), filename


def download_police_pdf(page: Page, folder: Path) -> None:
    expect(page.locator("#police-password")).to_have_value("")
    path, name = download(page, page.get_by_role("button", name="Download the police PDF"),
                          folder)
    assert_no_child_name(name)
    assert CASE_REF in name, name
    assert not PdfReader(path).is_encrypted
    pages = pdf_pages(path)
    text = "\n".join(pages)
    assert CHILD in text
    assert OTHER_PERSON in text
    assert "The perpetrator gave you money" in text  # the saved summary is in the record
    for number, page_text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page_text, f"page {number} has no protective marking"


def download_child_copy(page: Page, folder: Path) -> None:
    page.locator("#child-password").fill(PDF_PASSWORD)
    path, name = download(page, page.get_by_role("button", name="Download the child's copy"),
                          folder)
    assert_no_child_name(name)
    assert PdfReader(path).is_encrypted
    assert not PdfReader(path).decrypt("not-the-password-at-all")
    text = "\n".join(pdf_pages(path, password=PDF_PASSWORD))
    assert "What happens next is we meet again on Friday." in text


def test_summary_read_back_and_pdfs(page: Page, viewport: str, live_server: str, world,
                                    held: Conversation, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_and_sign_in(page, live_server, world.user("north", "worker").email)
    open_summary_from_overview(page, live_server, held.id)
    draft_with_readability_panel(page)
    check_empty_summary_is_refused(page)
    check_jargon(page)
    save_summary(page)
    read_back_with_the_child(page)
    open_documents(page)
    if viewport != "tablet":
        check_short_password_is_refused(page)
        return
    download_police_pdf(page, tmp_path)
    check_short_password_is_refused(page)
    download_child_copy(page, tmp_path)
