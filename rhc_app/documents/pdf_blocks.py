"""The police record's building blocks: its styles, "Label: value" lines and grids.

A module of its own so the record's sections (police_pdf.py) read as a list of what is
printed, in order.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from rhc_app.documents.pdf_common import escape_markup, register_fonts
from rhc_app.documents.pdf_line import LabelParagraph
from rhc_app.documents.pdf_text import TextParagraph, joined, label_frags, split_blocks
from rhc_app.domain.vocabulary import NOT_RECORDED

#: A value that would wrap to more lines than this in its column is not squeezed into a cell.
CELL_MAX_LINES = 12
#: About the width of an average character of the 9 pt cell font, and a cell's padding.
_CHAR_MM, _PADDING_MM = 1.8, 2.2


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    """The record's styles, made once per process (read only: a paragraph that needs
    another style makes its own from one of these)."""
    fonts = register_fonts()
    body = ParagraphStyle("body", fontName=fonts.body, fontSize=10, leading=14, spaceAfter=4,
                          shaping=1)  # HarfBuzz joins Arabic letters (pdf_fonts._shape_word)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=fonts.bold, fontSize=16,
                                leading=20, spaceAfter=8),
        "heading": ParagraphStyle("heading", parent=body, fontName=fonts.bold, fontSize=12.5,
                                  leading=16, spaceBefore=10, spaceAfter=4),
        "body": body,
        "handling": ParagraphStyle("handling", parent=body, fontName=fonts.bold, spaceAfter=8),
        "empty": ParagraphStyle("empty", parent=body, textColor=colors.HexColor("#505a5f")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=12, spaceAfter=0),
        "head_cell": ParagraphStyle("head_cell", parent=body, fontName=fonts.bold, fontSize=9,
                                    leading=12, spaceAfter=0),
        "entry": ParagraphStyle("entry", parent=body, fontName=fonts.bold, spaceBefore=6),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2,
                                 bulletFontName=fonts.body, bulletFontSize=10),
    }


def field(label: str, value: str | None, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """A "Label: value" line ("Not recorded" when empty); a long value carries on in
    bounded paragraphs below."""
    pieces = split_blocks(value) or [(NOT_RECORDED, True)]
    body, carry_on = s["body"], joined(s["body"])
    out: list[Flowable] = []
    for index, (piece, ends) in enumerate(pieces):
        text = escape_markup(piece)
        style = body if ends else carry_on
        if index == 0:  # a question reads "…alone? Yes", a label "Where: …"
            head = escape_markup(label if label.endswith('?') else label + ':')
            frags = label_frags(head, text, style)
            out.append(LabelParagraph(f"<b>{head}</b> {text}", style, frags=frags))
        else:
            out.append(TextParagraph(text, style))
    return out


def _fits_a_cell(value: str, width_mm: float) -> bool:
    per_line = max(1, int((width_mm - _PADDING_MM) / _CHAR_MM))
    lines = 0
    for line in value.split("\n"):
        lines += max(1, -(-len(line) // per_line))
        if lines > CELL_MAX_LINES:
            return False
    return True


def entries(singular: str, columns: tuple[str, ...], rows: list[list[str]],
            widths_mm: tuple[float, ...], s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """People, places or attempts: a grid while every value fits a cell, else one block
    per entry.

    Why not always a grid: reportlab lays out the rest of a tall row again each time it
    splits the row across a page, so a long cell cost time quadratic in its length (a
    1,000-line concern was laid out 33,000 lines' worth).
    """
    if all(_fits_a_cell(cell or "", width)
           for row in rows for cell, width in zip(row, widths_mm, strict=True)):
        return [_table(columns, rows, widths_mm, s)]
    story: list[Flowable] = []
    for number, row in enumerate(rows, start=1):
        story.append(TextParagraph(f"{singular} {number} of {len(rows)}", s["entry"]))
        for label, value in zip(columns, row, strict=True):
            if (value or "").strip() or label == columns[0]:
                story.extend(field(label, value, s))
    return story


def _table(columns: tuple[str, ...], rows: list[list[str]], widths_mm: tuple[float, ...],
           s: dict[str, ParagraphStyle]) -> Table:
    """A grid that repeats its header on each page and may split a tall row across pages."""
    data = [[TextParagraph(escape_markup(c), s["head_cell"]) for c in columns]]
    for row in rows:
        data.append([TextParagraph(escape_markup(cell or "") or "", s["cell"]) for cell in row])
    table = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#505a5f")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table
