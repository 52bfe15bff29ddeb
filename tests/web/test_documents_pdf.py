"""The police PDF, the child's PDF and what they share: marking, page numbers, safe text,
metadata, encryption and file names. All names here are invented."""

from __future__ import annotations

import io
import os
import re
import subprocess  # nosec B404: runs this interpreter on a fixed script
import sys
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from rhc_app.documents.child_pdf import TALK_TO_TITLE, TITLE, build_child_pdf
from rhc_app.documents.pdf_common import (
    MARKING,
    escape_markup,
    protect,
    register_fonts,
    safe_filename,
)
from rhc_app.documents.pdf_text import split_text
from rhc_app.documents.police_pdf import DOCUMENT_TITLE, SECTION_TITLES, build_police_pdf
from rhc_app.documents.records import (
    ChildInfo,
    ConversationRecord,
    EpisodeInfo,
    OrganisationInfo,
    PersonEntry,
    PlaceEntry,
    timeliness,
)
from rhc_app.domain.uk_time import format_datetime
from rhc_app.domain.vocabulary import AREAS as AREA_KEYS

FOUND = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
CHILD_NAME = "Tamsin Quarrendale"
INJECTION = ['<b>not bold</b>', '&', '<para>', '</font>', '<img src="x"/>']


def make_record(**changes: object) -> ConversationRecord:
    record = ConversationRecord(
        organisation=OrganisationInfo("Northvale Council Children's Services"),
        child=ChildInfo(CHILD_NAME, date(2011, 3, 3), "CR-20931"),
        episode=EpisodeInfo(FOUND - timedelta(hours=40), FOUND, "high", "MPU/26/0042", "home"),
        produced_at=FOUND + timedelta(days=2),
        offered_at=FOUND + timedelta(hours=5),
        outcome="accepted",
        held_at=FOUND + timedelta(hours=30),
        method="face_to_face",
        location="A quiet room at school",
        present="Tamsin and the worker",
        seen_alone=True,
        areas={key: f"Note for {key.replace('_', ' ')}." for key in AREA_KEYS},
        people=[PersonEntry("Brannock Vell", "Older male, red car", "about 19", "Park", "Vapes")],
        places=[PlaceEntry("Flat above the chip shop", "Eastfield", True, "Older males")],
        risk_factors=[("sexual_exploitation", "Risk of sexual exploitation")],
        actions=[("Strategy meeting", "Requested for 26 Nov"), ("Police intelligence", "")],
        child_summary="Hi Tamsin,\n\nWe talked about who you were with.",
        worker_name="Orla Fenwright",
        worker_role="MVE worker",
    )
    return replace(record, **changes)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def assert_marked_and_numbered(pdf: bytes) -> list[str]:
    pages = pages_text(pdf)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert text.count(MARKING) >= 2, f"page {number} lacks the marking top and bottom"
        assert f"Page {number} of {total}" in text
    return pages


def test_police_pdf_has_every_section_in_order() -> None:
    lines = [line.strip() for text in pages_text(build_police_pdf(make_record())) for line in
             text.splitlines()]
    positions = [lines.index(title) for title in SECTION_TITLES]
    assert positions == sorted(positions)
    assert lines.index(DOCUMENT_TITLE) < positions[0]


def test_police_pdf_fields() -> None:
    text = "\n".join(pages_text(build_police_pdf(make_record())))
    for expected in (
        CHILD_NAME, "3 Mar 2011 (aged 15 when reported missing)", "CR-20931",
        "Fri 20 Nov 2026, 16:00", "Sun 22 Nov 2026, 08:00", "Police risk grade: High",
        "MPU/26/0042", "Outcome: Accepted", "Within 72 hours (held 30 hours after found)",
        "How: Face to face", "Was the child seen alone? Yes", "Brannock Vell", "Flat above the chip shop",
        "Risk of sexual exploitation", "Strategy meeting: Requested for 26 Nov",
        "Orla Fenwright", "MVE worker", "Tue 24 Nov 2026, 08:00", "Note for worker analysis.",
    ):
        assert expected in text, expected


def test_empty_areas_print_not_recorded() -> None:
    record = make_record(areas={}, people=[], places=[], risk_factors=[], actions=[],
                         child_summary="")
    text = "\n".join(pages_text(build_police_pdf(record)))
    assert text.count("Not recorded") >= len(AREA_KEYS) + 5


def test_every_page_marked_and_numbered_for_a_short_record() -> None:
    pages = assert_marked_and_numbered(build_police_pdf(make_record()))
    assert "Page 1 of" in pages[0]
    assert "Case ref: CR-20931" in pages[0]


def test_long_note_and_many_rows_paginate() -> None:
    words = " ".join(f"word{i}" for i in range(2600))  # about 20,000 characters, no blank line
    note = (words[:20_000] + " THE-END-OF-THE-NOTE")
    assert len(note) > 20_000 and "\n\n" not in note
    people = [PersonEntry(f"Person {i}", "tall " * 8, str(15 + i % 10), "friend",
                          "worry " * 10) for i in range(40)]
    places = [PlaceEntry(f"Place {i}", "east " * 5, i % 2 == 0, "worry " * 12)
              for i in range(40)]
    record = make_record(areas={"worker_analysis": note, "victims": "x" * 20_000},
                         people=people, places=places)
    pages = assert_marked_and_numbered(build_police_pdf(record))
    assert len(pages) >= 8
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    joined = "\n".join(pages)
    assert "THE-END-OF-THE-NOTE" in joined
    assert "Person 39" in joined and "Place 39" in joined
    assert joined.count("Concern") >= 3  # a table's header repeats on its next page


def test_a_huge_table_cell_splits_across_pages() -> None:
    person = PersonEntry("Edric Palmerwood", concern="Seen with him often. " * 600)
    pages = assert_marked_and_numbered(build_police_pdf(make_record(people=[person])))
    assert len(pages) >= 3


@pytest.mark.parametrize("builder", [build_police_pdf, build_child_pdf])
def test_markup_in_user_text_prints_literally(builder) -> None:  # type: ignore[no-untyped-def]
    hostile = "\n".join(INJECTION)
    record = make_record(
        organisation=OrganisationInfo("Org <i>"),
        areas={key: hostile for key in AREA_KEYS},
        people=[PersonEntry("<b>Name</b>", "</para>", "<br/>", "&amp;", "<font size=40>")],
        places=[PlaceEntry('<a href="x">', "</td>", None, "\x00\x07bell")],
        actions=[("<strike>", "&lt;")],
        child_summary=hostile + "\n\u2022 <u>bullet</u>",
        worker_name="Orla <script>",
    )
    text = "\n".join(pages_text(builder(record)))
    for literal in INJECTION + ["<u>bullet</u>", "Orla <script>"]:
        assert literal in text
    if builder is build_police_pdf:
        for literal in ("<b>Name</b>", "&amp;", "<font size=40>", '<a href="x">', "&lt;"):
            assert literal in text
        assert "bell" in text and "\x07" not in text


ARABIC_NAME = "محمد"


def _drawn_left_to_right(pdf: bytes, word: str) -> str:
    """The letters of `word` on page 1 in the order they are drawn across the page, left to
    right, whatever order the file stores them in (shaped forms read as their letters)."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[0].chars
                 if unicodedata.normalize("NFKC", c["text"]) in set(word)]
    return "".join(unicodedata.normalize("NFKC", c["text"])
                   for c in sorted(chars, key=lambda c: c["x0"]))


def test_names_in_many_scripts() -> None:
    pdf = build_police_pdf(make_record(child=ChildInfo(f"Zoë Łukasz Мария {ARABIC_NAME}",
                                                       None, "CR-1")))
    text = "\n".join(pages_text(pdf))
    for word in ("Zoë", "Łukasz", "Мария"):
        assert word in text
    # Every Arabic letter is drawn, from a font that has it (no empty boxes). Their order on
    # the page is test_arabic_name_reads_right_to_left's.
    assert sorted(_drawn_left_to_right(pdf, ARABIC_NAME)) == sorted(ARABIC_NAME)
    fonts = register_fonts()
    assert all(ord(ch) in fonts.body_chars | fonts.fallback_chars for ch in ARABIC_NAME)


def test_arabic_name_reads_right_to_left() -> None:
    pdf = build_police_pdf(make_record(child=ChildInfo(f"Zoë {ARABIC_NAME}", None, "CR-1")))
    # Read from the right, as an Arabic reader does, the letters spell the name as typed.
    assert _drawn_left_to_right(pdf, ARABIC_NAME)[::-1] == ARABIC_NAME


def test_chinese_name_when_a_cjk_font_is_installed() -> None:
    if register_fonts().fallback is None:
        pytest.skip("no CJK TrueType font installed (e.g. Debian fonts-wqy-zenhei)")
    pdf = build_police_pdf(make_record(child=ChildInfo("陈 Mei", None, "CR-1")))
    assert "陈" in pages_text(pdf)[0]


_FALLBACK_CHECK = """
from rhc_app.documents import pdf_common
from rhc_app.documents.pdf_common import escape_markup, register_fonts
from rhc_app.documents.police_pdf import build_police_pdf
from rhc_app.documents.records import ChildInfo
from tests.web.test_documents_pdf import make_record, pages_text
fonts = register_fonts()
char = next(chr(c) for c in sorted(fonts.fallback_chars - fonts.body_chars) if chr(c).isalpha())
assert f'<font face="{pdf_common.FALLBACK_FONT}">{char}</font>' in escape_markup(f"a{char}b")
pdf = build_police_pdf(make_record(child=ChildInfo(f"Name{char}", None, "CR-1")))
assert f"Name{char}" in pages_text(pdf)[0], "the fallback font's letter is not in the text"
"""


def test_fallback_font_is_used_for_characters_dejavu_lacks() -> None:
    """RHC_PDF_FALLBACK_FONT names the font for what DejaVu Sans lacks, before any CJK font.
    In a process of its own: reportlab's font registry is per process, and this one has
    already built PDFs with the CJK font under the fallback's name."""
    path = "/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf"
    if not os.path.exists(path):
        pytest.skip("needs DejaVu Math (Debian fonts-dejavu-extra)")
    env = {**os.environ, "RHC_PDF_FALLBACK_FONT": path}
    done = subprocess.run([sys.executable, "-c", _FALLBACK_CHECK], env=env, capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).parents[2], check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_escape_markup() -> None:
    assert escape_markup("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape_markup("one\r\ntwo\rthree\nfour") == "one<br/>two<br/>three<br/>four"
    assert escape_markup("bell\x07\x00 nul\u200b") == "bell nul"
    assert escape_markup("tab\there") == "tab    here"
    assert escape_markup(None) == ""


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_escape_markup_always_gives_valid_markup(text: str) -> None:
    style = ParagraphStyle("t", fontName=register_fonts().body)
    Paragraph(escape_markup(text), style).wrap(400, 800)


def test_split_text_bounds_every_piece() -> None:
    text = "a" * 5000 + " " + "word " * 2000 + "\n\n" + "last"
    pieces = split_text(text, limit=700)
    assert all(len(p) <= 700 for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert pieces[-1] == "last"
    assert split_text("  \n\n ") == []


def test_protect_encrypts_with_aes_256() -> None:
    plain = build_police_pdf(make_record())
    locked = protect(plain, "correct horse battery")
    reader = PdfReader(io.BytesIO(locked))
    assert reader.is_encrypted
    assert reader.trailer["/Encrypt"]["/V"] == 5  # AES-256
    with pytest.raises(FileNotDecryptedError):
        reader.pages[0].extract_text()
    assert not PdfReader(io.BytesIO(locked)).decrypt("wrong")
    reader = PdfReader(io.BytesIO(locked))
    assert reader.decrypt("correct horse battery")
    assert CHILD_NAME in "\n".join(page.extract_text() for page in reader.pages)
    assert CHILD_NAME.encode() not in locked
    with pytest.raises(ValueError):
        protect(plain, "")


@pytest.mark.parametrize("builder, title", [(build_police_pdf, DOCUMENT_TITLE),
                                            (build_child_pdf, TITLE)])
def test_metadata_holds_only_title_and_creator(builder, title) -> None:  # type: ignore[no-untyped-def]
    reader = PdfReader(io.BytesIO(builder(make_record())))
    meta = reader.metadata
    assert meta is not None
    filled = {key: str(value) for key, value in meta.items()
              if str(value).strip() and key not in ("/CreationDate", "/ModDate", "/Trapped")}
    assert filled == {"/Title": title, "/Creator": "rhc_app", "/Producer": "rhc_app"}
    assert reader.xmp_metadata is None
    for word in CHILD_NAME.split() + ["Orla", "Fenwright"]:
        assert word not in repr(dict(meta))


def test_safe_filename() -> None:
    produced = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # already 2 July in London
    assert safe_filename("police", "CR-20931", produced) == "rhc-police-CR-20931-2026-07-02.pdf"
    name = safe_filename("child", " ref/../12 ä ; rm -rf ", produced)
    assert re.fullmatch(r"rhc-child-[A-Za-z0-9-]+-2026-07-02\.pdf", name)
    assert safe_filename("police", "", produced) == "rhc-police-no-ref-2026-07-02.pdf"
    leaky = safe_filename("police", "QUARRENDALE-77", produced, avoid=[CHILD_NAME])
    assert "QUARRENDALE" not in leaky.upper() and leaky.endswith("2026-07-02.pdf")


def test_child_pdf_is_large_plain_and_marked() -> None:
    record = make_record()
    pdf = build_child_pdf(record)
    pages = assert_marked_and_numbered(pdf)
    text = "\n".join(pages)
    for expected in (TITLE, "Hi Tamsin,", "We talked about who you were with.", TALK_TO_TITLE,
                     "Orla Fenwright from Northvale Council", "116 000", "0800 1111", "999"):
        assert expected in text, expected
    assert text.count("Hi Tamsin") == 1  # the summary's own greeting is not doubled
    for professional in ("Brannock", "Flat above", "Risk of sexual", "Note for worker",
                         "CR-20931", "Quarrendale", "MPU/26"):
        assert professional not in text
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            body = [c for c in page.chars if 60 < c["top"] < page.height - 60]
            assert body and min(c["size"] for c in body) >= 14


def test_child_pdf_greets_by_preferred_name_and_uses_given_contacts() -> None:
    record = make_record(child=ChildInfo(CHILD_NAME, preferred_name="Tam"),
                         child_summary="We talked about school.")
    text = "\n".join(pages_text(build_child_pdf(record, contacts=[("Youth club", "Ask Dee")])))
    assert "Hi Tam," in text and "Youth club: Ask Dee" in text
    assert "Childline" not in text


def test_timeliness_wording() -> None:
    rec = make_record()
    assert timeliness(rec) == "Within 72 hours (held 30 hours after found)"
    assert timeliness(replace(rec, held_at=FOUND + timedelta(hours=72))).startswith("Within")
    late = replace(rec, held_at=FOUND + timedelta(hours=84))
    assert timeliness(late) == "Not within 72 hours (held 12 hours late)"
    very_late = replace(rec, held_at=FOUND + timedelta(days=9, hours=1))
    assert timeliness(very_late) == "Not within 72 hours (held 6 days 1 hour late)"
    naive = replace(rec, held_at=(FOUND + timedelta(minutes=45)).replace(tzinfo=None))
    assert timeliness(naive) == "Within 72 hours (held 45 minutes after found)"
    assert timeliness(replace(rec, held_at=None)) == "Not held"
    assert timeliness(replace(rec, episode=EpisodeInfo())).startswith("Cannot tell")
    due = replace(rec, due_at=FOUND + timedelta(hours=24))
    assert timeliness(due) == "Not within 72 hours (held 6 hours late)"


def test_format_datetime_in_london() -> None:
    assert format_datetime(datetime(2026, 11, 24, 14, 5, tzinfo=UTC)) == "Tue 24 Nov 2026, 14:05"
    assert format_datetime(datetime(2026, 7, 3, 9, 5, tzinfo=UTC)) == "Fri 3 Jul 2026, 10:05"
    assert format_datetime(datetime(2026, 7, 3, 9, 5)) == "Fri 3 Jul 2026, 10:05"
    assert format_datetime(None) == "Not recorded"


def test_a_declined_outcome_prints_the_childs_reason() -> None:
    text = "\n".join(pages_text(build_police_pdf(make_record(
        outcome="declined", outcome_reason="Said she was too tired to talk", held_at=None))))
    assert "Outcome: Declined" in text and "Reason: Said she was too tired to talk" in text
    empty = "\n".join(pages_text(build_police_pdf(make_record(outcome="declined",
                                                              held_at=None))))
    assert "Reason: Not recorded" in empty
