"""Committee papers: report tables as an OFFICIAL-SENSITIVE PDF (plain data in, bytes out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from rhc_app.documents.pdf_common import PageMarking, build_document, escape_markup, register_fonts
from rhc_app.documents.pdf_text import TextParagraph
from rhc_app.domain.uk_time import format_datetime


@dataclass(frozen=True)
class ReportTable:
    heading: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]


def build_report_pdf(title: str, organisation: str, tables: Sequence[ReportTable],
                     produced_at: datetime, notes: Sequence[str] = ()) -> bytes:
    fonts = register_fonts()
    base = getSampleStyleSheet()
    h1 = ParagraphStyle("h1", parent=base["Heading1"], fontName=fonts.bold, fontSize=16)
    h2 = ParagraphStyle("h2", parent=base["Heading2"], fontName=fonts.bold, fontSize=12)
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=fonts.body, fontSize=9,
                          shaping=1)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    story: list[Flowable] = [
        TextParagraph(escape_markup(title), h1),
        TextParagraph(escape_markup(f"{organisation} · produced {format_datetime(produced_at)}"),
                  body),
    ]
    for note in notes:
        story.append(TextParagraph(escape_markup(note), body))
    for table in tables:
        story += [Spacer(1, 4 * mm), TextParagraph(escape_markup(table.heading), h2)]
        data = [[TextParagraph(escape_markup(h), cell) for h in table.header]]
        data += [[TextParagraph(escape_markup(str(v)), cell) for v in row] for row in table.rows]
        t = Table(data, repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(t)
    return build_document(story, title, PageMarking())
