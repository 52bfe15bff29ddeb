"""Words shaped once are kept (a text repeats its words): a kept word must be drawn and copy
out exactly as a word shaped afresh, in the caller's own fragment (its colour, its size)."""

from __future__ import annotations

from reportlab.lib.abag import ABag
from reportlab.pdfbase.pdfmetrics import stringWidth

from rhc_app.documents import pdf_fonts
from rhc_app.documents.pdf_common import ARABIC_FONT, register_fonts

WORDS = ["محمد", "زهرا", "لا", "سلام،", "پدرم", "خوشحالم؟", "ሰላም", "hello"]


def _word(text: str, size: float = 10, colour: str = "black") -> list:
    frag = ABag(fontName=ARABIC_FONT, fontSize=size, textColor=colour)
    return [stringWidth(text, ARABIC_FONT, size), (frag, text)]


def _drawn(word: list) -> tuple:
    return (type(word).__name__, word[0], [(f.fontSize, f.textColor, str(t),
                                            getattr(t, "__shapeData__", None))
                                           for f, t in word[1:]],
            getattr(word, "rhc_typed", None))


def test_a_kept_word_is_the_word_shaped_afresh() -> None:
    register_fonts()
    pdf_fonts._SHAPED.clear()
    fresh = [_drawn(pdf_fonts._shape_word(_word(text))) for text in WORDS]
    assert len(pdf_fonts._SHAPED) == len(WORDS) - 2  # each right-to-left word kept
    assert [_drawn(pdf_fonts._shape_word(_word(text))) for text in WORDS] == fresh
    assert fresh[0][3] == "محمد" and fresh[0][2][0][2] != "محمد"  # shaped: new glyph codes


def test_a_kept_word_takes_the_callers_fragment() -> None:
    register_fonts()
    pdf_fonts._SHAPED.clear()
    pdf_fonts._shape_word(_word("محمد"))
    red = pdf_fonts._shape_word(_word("محمد", colour="red"))
    big = pdf_fonts._shape_word(_word("محمد", size=14))
    assert red[1][0].textColor == "red"
    assert big[0] > red[0]  # another size is shaped for its own width
