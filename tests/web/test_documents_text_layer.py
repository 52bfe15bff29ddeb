"""What copying text out of a PDF gives back (issue 12), beyond the names of
test_documents_scripts: a wrapped right-to-left paragraph, Pashto, lam-alef, joiners and
emoji. All text here is invented."""

from __future__ import annotations

import io
import shutil
from collections import defaultdict

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from rhc_app.documents.child_pdf import build_child_pdf
from rhc_app.documents.pdf_common import ARABIC_FONT, clean_text
from rhc_app.documents.pdf_unicode import to_unicode_cmap
from rhc_app.documents.police_pdf import build_police_pdf
from rhc_app.documents.records import ChildInfo
from tests.web.test_documents_pdf import make_record
from tests.web.test_documents_scripts import _ink_where

#: Arabic words with no lam-alef (a ligature draws two letters at one place) and no digits.
_WORDS = ["كتب", "محمد", "بيت", "شمس", "قمر", "نجم", "بحر", "ورد", "سمك", "جبل"]
NOTE = " ".join(_WORDS * 8)


def _all_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _right_to_left_lines(pdf: bytes) -> list[str]:
    """Each printed line of Arabic glyphs, read by their x positions from right to left."""
    lines: dict[tuple[int, int], list[dict]] = defaultdict(list)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages):
            for char in page.chars:
                if "NotoSansArabic" in char["fontname"] and char["text"].strip():
                    lines[(number, round(char["top"]))].append(char)
    return ["".join(c["text"] for c in sorted(chars, key=lambda c: -c["x0"]))
            for _where, chars in sorted(lines.items())]


@pytest.mark.parametrize("where", ["police", "child"])
def test_a_wrapped_right_to_left_paragraph_reads_right_to_left_line_by_line(where) -> None:  # type: ignore[no-untyped-def]
    if where == "police":
        pdf = build_police_pdf(make_record(areas={"victims": NOTE}))
    else:
        pdf = build_child_pdf(make_record(child_summary=NOTE))
    lines = _right_to_left_lines(pdf)
    assert len(lines) > 1, "the paragraph wraps"
    # Read right to left, top line first, the glyphs spell the note as typed: the first
    # word typed is at the right of the first line, the last at the left of the last.
    assert "".join(lines) == NOTE.replace(" ", "")
    assert lines[0].startswith(_WORDS[0]) and lines[-1].endswith(_WORDS[-1])
    # And text extraction gives the lines back in order.
    extracted = [line for line in _all_text(pdf).splitlines() if set(line.split()) & set(_WORDS)]
    assert extracted[0].split()[0] == _WORDS[0] and extracted[-1].split()[-1] == _WORDS[-1]


@pytest.mark.parametrize("typed", [
    "پښتو ژبه",             # Pashto: ښ joined has no character of its own in Noto
    "ګل ړوند ڼ",            # Pashto letters with a ring or a small tah
    "علا",                  # ends in lam-alef, drawn first (leftmost)
    "سلام ولا",             # lam-alef inside and at the end of a word
    "می\u200cخواهم",        # Farsi: a zero-width non-joiner is spelling
    "🙂 ❤️ 👍🏽",            # astral emoji, a variation selector, a skin-tone modifier
    "👨\u200d👩\u200d👧 Zoë",  # an emoji family: emoji joined by zero-width joiners
])
@pytest.mark.parametrize("builder", [build_police_pdf, build_child_pdf])
def test_text_copies_out_as_typed(builder, typed: str) -> None:  # type: ignore[no-untyped-def]
    pdf = builder(make_record(child=ChildInfo(typed, None, "CR-1", preferred_name=typed),
                              child_summary=f"Hi {typed}\n\nWe talked."))
    assert typed in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_emoji_are_drawn_in_the_symbol_font() -> None:
    pdf = build_police_pdf(make_record(child=ChildInfo("Zoë 🙂👍🏽", None, "CR-1")))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        drawn = {c["text"]: c["fontname"] for c in doc.pages[0].chars}
    assert "Symbola" in drawn["🙂"] and "Symbola" in drawn["👍"] and "Symbola" in drawn["🏽"]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
@pytest.mark.parametrize("name", ["پښتو", "🙂"])
def test_rendered_pashto_and_emoji_have_glyphs(name: str) -> None:
    pdf = build_police_pdf(make_record(child=ChildInfo(name, None, "CR-1")))
    assert _ink_where(pdf, name) > 0.08  # an empty box or a blank is well under this


def test_the_text_map_writes_emoji_as_surrogate_pairs() -> None:
    cmap = to_unicode_cmap("AAAAAA+Symbola", [0, 0x1F642, 0x41])
    assert "<01> <D83DDE42>" in cmap and "<02> <0041>" in cmap


def test_joiners_are_kept_and_direction_controls_are_not() -> None:
    assert clean_text("a\u200cb\u200dc\u202ed\u2066e") == "a\u200cb\u200dcde"


def test_brackets_round_an_arabic_word_are_mirrored_and_the_word_still_joins() -> None:
    # Noto Sans Arabic has no brackets: they are drawn in DejaVu, the letters in Noto.
    pdf = build_police_pdf(make_record(child=ChildInfo("Zoë (زهرا)", None, "CR-1")))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = doc.pages[0].chars
    arabic = [c for c in chars if "NotoSansArabic" in c["fontname"]]
    opening = next(c for c in chars if c["text"] == "(")
    closing = next(c for c in chars if c["text"] == ")")
    # Read right to left: "(" first, at the right; the letters in typed order; ")" last.
    assert closing["x0"] < min(c["x0"] for c in arabic) < opening["x0"]
    assert "".join(c["text"] for c in sorted(arabic, key=lambda c: -c["x0"])) == "زهرا"
    # Joined: shaped by HarfBuzz, so not the isolated letters' widths.
    assert any(abs(c["x1"] - c["x0"] - stringWidth(c["text"], ARABIC_FONT, c["size"])) > 0.05
               for c in arabic)


@pytest.mark.parametrize("name", ["محمد علي", "زهرا احمدی", "عائشہ", "پښتو ژبه", "ژیان"],
                         ids=["Arabic", "Farsi", "Urdu", "Pashto", "Kurdish Sorani"])
def test_each_right_to_left_script_reads_right_to_left_by_x_position(name: str) -> None:
    pdf = build_police_pdf(make_record(child=ChildInfo(name, None, "CR-1")))
    assert name.replace(" ", "") in _right_to_left_lines(pdf)
