"""Names in the scripts the children write them in (issue 12): the text layer gives back
what was typed, right-to-left words are drawn right to left and joined, and a rendered page
has ink where the name is. All names here are invented."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from rhc_app.documents.child_pdf import build_child_pdf
from rhc_app.documents.pdf_bidi import visual_indexes, word_levels
from rhc_app.documents.pdf_common import ARABIC_FONT, register_fonts
from rhc_app.documents.police_pdf import build_police_pdf
from rhc_app.documents.records import ChildInfo
from tests.web.test_documents_pdf import make_record

#: (script, a name as typed). Each must come back out of the PDF's text, in typed order.
NAMES = [
    ("Arabic", "محمد علي"),
    ("Farsi", "زهرا احمدی"),
    ("Urdu", "عائشہ"),
    ("Pashto", "پښتو ژبه"),
    ("Kurdish Sorani", "ژیان"),
    ("Tigrinya", "ሰላም ብርሃነ"),
    ("Amharic", "አበበ ከበደ"),
    ("Chinese", "陈美玲"),
    ("Vietnamese", "Nguyễn Thị Hương"),
    ("Polish", "Łucja Wróbel-Żak"),
    ("Romanian", "Ștefan Țurcanu"),
    ("Welsh", "Siân Llŷr"),
]

ARABIC_PS_NAME = "NotoSansArabic"  # pdfplumber gives the embedded font's own name


def _text(pdf: bytes) -> str:
    # As extracted: each joined glyph copies out as the letters typed (pdf_unicode), not as
    # a presentation form, so no normalising here.
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.parametrize("builder", [build_police_pdf, build_child_pdf])
@pytest.mark.parametrize(("script", "name"), NAMES, ids=[script for script, _ in NAMES])
def test_extracted_text_gives_back_the_name_as_typed(builder, script, name) -> None:  # type: ignore[no-untyped-def]
    # The child's copy prints the name in the worker's summary to the child. (No comma
    # straight after the name: pypdf's extraction moves it into a right-to-left run, though
    # it is drawn where it belongs.)
    pdf = builder(make_record(child=ChildInfo(name, None, "CR-1", preferred_name=name),
                              child_summary=f"Hi {name}\n\nWe talked."))
    assert name in _text(pdf), script


def test_every_script_has_a_font() -> None:
    fonts = register_fonts()
    covered = fonts.body_chars | fonts.fallback_chars
    for _name, chars in fonts.extras:
        covered |= chars
    for script, name in NAMES:
        missing = {ch for ch in name if not ch.isspace() and ord(ch) not in covered}
        assert not missing, (script, missing)


def test_arabic_is_drawn_joined_in_the_arabic_font() -> None:
    pdf = build_police_pdf(make_record(child=ChildInfo("Zoë محمد", None, "CR-1")))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        arabic = [c for c in doc.pages[0].chars if ARABIC_PS_NAME in c["fontname"]]
    assert len(arabic) == 4
    # Each glyph copies out as the letter typed (not a presentation form)...
    assert sorted(c["text"] for c in arabic) == sorted("محمد")
    # ...and is drawn joined: the contextual forms are not as wide as the isolated letters.
    changed = [c for c in arabic
               if abs(c["x1"] - c["x0"] - stringWidth(c["text"], ARABIC_FONT, c["size"])) > 0.05]
    assert len(changed) >= 3


def test_right_to_left_words_and_letters_run_right_to_left() -> None:
    first, second = "محمد", "علي"
    pdf = build_police_pdf(make_record(child=ChildInfo(f"Zoë {first} {second} Smith", None,
                                                       "CR-1")))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        line = sorted((c for c in doc.pages[0].chars if ARABIC_PS_NAME in c["fontname"]),
                      key=lambda c: -c["x0"])  # right to left
        latin = {c["text"]: c["x0"] for c in doc.pages[0].chars if c["text"] in "ZS"}
    read = "".join(c["text"] for c in line).replace(" ", "")
    assert read == first + second  # the first word typed is the rightmost
    # The Arabic sits between "Zoë" and "Smith", as typed.
    assert latin["Z"] < min(c["x0"] for c in line) < max(c["x0"] for c in line) < latin["S"]


def _drawn(line: str) -> str:
    words = line.split(" ")
    return " ".join(words[i] for i in visual_indexes(word_levels(words)))


def test_words_are_ordered_for_drawing_and_left_to_right_text_is_left_alone() -> None:
    assert _drawn("Zoë Łukasz 陈 ሰላም") == "Zoë Łukasz 陈 ሰላም"
    assert _drawn("Zoë محمد علي Smith") == "Zoë علي محمد Smith"  # words reordered, letters not
    assert _drawn("محمد علي") == "علي محمد"
    # A right-to-left line keeps a number or a Latin word, and its own order, as one piece.
    assert _drawn("محمد 12 Zoë Smith علي") == "علي Zoë Smith 12 محمد"


def _ink_where(pdf: bytes, word: str) -> float:
    """The share of dark pixels in the box pdfplumber gives for ``word`` on page 1,
    rendered by poppler's pdftoppm at 100 dpi."""
    from PIL import Image

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        chars = [c for c in page.chars
                 if unicodedata.normalize("NFKC", c["text"]) and
                 set(unicodedata.normalize("NFKC", c["text"])) <= set(word) - {" "}]
        box = (min(c["x0"] for c in chars), min(c["top"] for c in chars),
               max(c["x1"] for c in chars), max(c["bottom"] for c in chars))
    png = subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "100", "-png", "-gray", "-"],
                         input=pdf, capture_output=True, check=True, timeout=60).stdout
    image = Image.open(io.BytesIO(png))
    scale = 100 / 72
    crop = image.crop(tuple(round(v * scale) for v in box))
    pixels = crop.convert("L").tobytes()
    return sum(1 for p in pixels if p < 128) / max(1, len(pixels))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
@pytest.mark.parametrize("name", ["محمد", "陈美玲", "ሰላም"])
def test_rendered_name_has_glyphs(name: str) -> None:
    pdf = build_police_pdf(make_record(child=ChildInfo(name, None, "CR-1")))
    # An empty box (.notdef) or a blank is well under this; real glyphs are 10-40% ink.
    assert _ink_where(pdf, name) > 0.08


def test_a_wrapped_arabic_paragraph_starts_on_its_first_line() -> None:
    note = " ".join(["أول"] + ["كلمة"] * 40 + ["آخر"])
    pdf = build_police_pdf(make_record(areas={"victims": note}))
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "\n".join(page.extract_text() for page in pages)
    lines = [line for line in text.splitlines() if "كلمة" in line]
    assert len(lines) > 1, "the note wraps"
    assert "أول" in lines[0] and "آخر" in lines[-1]
