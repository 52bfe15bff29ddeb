"""What every RHC document shares: fonts, safe text, the page marking, metadata, encryption.

Why it is all here: a PDF of a conversation holds special-category data about a child. Each
page must carry OFFICIAL-SENSITIVE (pages get printed and separated), user text must never
be read as reportlab markup (a note saying ``<font`` must not crash the export or restyle
the page), the metadata must not leak a name, and a file leaving the service can be locked.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from rhc_app.documents.pdf_fonts import (  # re-exported: the builders' one import
    ARABIC_FONT,
    BODY_FONT,
    BOLD_FONT,
    FALLBACK_FONT,
    MAX_FONT_CHANGES,
    Fonts,
    register_fonts,
)
from rhc_app.domain.uk_time import london_date

__all__ = ["ARABIC_FONT", "BODY_FONT", "BOLD_FONT", "FALLBACK_FONT", "Fonts", "register_fonts"]

MARKING = "OFFICIAL-SENSITIVE"
CREATOR = "rhc_app"
PAGE_SIZE = A4
MARGIN = 20 * mm


_KEPT = "\n\t\u200c\u200d"  # newline, tab, zero-width non-joiner and joiner
#: The control characters ASCII text can hold, but newline and tab (\r is gone by then).
_ASCII_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str | None) -> str:
    """Drop control characters (keeping newline and tab), lone surrogates and invisible
    format characters; normalise line breaks to \\n. Used before anything reaches a PDF.

    The zero-width joiner and non-joiner stay: they are spelling, not formatting (Farsi
    writes می‌خواهم with a non-joiner; an emoji family is emoji joined by joiners)."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n")
    if text.isascii():  # most notes: only the control characters can go, found by a regex
        return _ASCII_CONTROLS.sub("", text)
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char in _KEPT or category not in ("Cc", "Cs", "Cf", "Co", "Cn"):
            out.append(char)
    return "".join(out)


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\t", "    ").replace("\n", "<br/>")


def escape_markup(text: str | None) -> str:
    """Make any user text safe to put inside reportlab Paragraph markup.

    Escapes & < > so tags in notes print literally, keeps line breaks as <br/>, strips
    control characters, and wraps runs of characters DejaVu lacks in a font that has them.
    Words stay in typed order: TextParagraph orders each printed line (pdf_bidi).
    """
    text = clean_text(text)
    fonts = register_fonts()
    if not fonts.fallback and not fonts.extras or fonts.body_only.issuperset(text):
        return _escape(text)  # one run in the body font, as _font_runs would make it
    out: list[str] = []
    for run, face in _font_runs(text, fonts):
        escaped = _escape(run)
        out.append(f'<font face="{face}">{escaped}</font>' if face else escaped)
    return "".join(out)


def _font_runs(text: str, fonts: Fonts) -> Iterable[tuple[str, str | None]]:
    start, current, changes = 0, None, 0
    for index, char in enumerate(text):
        # Line breaks, tabs and spaces are layout, not glyphs: never switch fonts for them.
        wanted = current if char in "\n\t " else fonts.font_for(ord(char))
        if current == ARABIC_FONT and wanted != current and fonts.arabic_has(char):
            wanted = current  # punctuation next to Arabic: one font, or the word breaks
        elif char in "\u200c\u200d" and fonts.has(current, ord(char)):
            wanted = current  # a joiner belongs to the emoji or word it joins
        if wanted != current and index > start:
            yield text[start:index], current
            start, changes = index, changes + 1
            if changes >= MAX_FONT_CHANGES:  # text built to alternate: the widest font
                yield text[start:], fonts.fallback or wanted
                return
        current = wanted
    if start < len(text):
        yield text[start:], current


@dataclass(frozen=True)
class PageMarking:
    """How the marking and page numbers are drawn on each page."""

    font_size: float = 10
    bold: bool = True
    colour: Any = colors.black
    footer_left: str = ""


def canvas_maker(marking: PageMarking) -> type[rl_canvas.Canvas]:
    """A canvas class that draws the marking top and bottom and "Page X of Y" on each page.

    Pages are held until save() so the total is known (the NumberedCanvas recipe: one
    layout pass, not two).
    """

    class MarkedCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                self._draw_marking(number, total)
                super().showPage()
            super().save()

        def _draw_marking(self, number: int, total: int) -> None:
            fonts = register_fonts()
            width, height = self._pagesize
            self.saveState()
            self.setFillColor(marking.colour)
            self.setFont(fonts.bold if marking.bold else fonts.body, marking.font_size)
            self.drawCentredString(width / 2, height - MARGIN / 2 - marking.font_size / 2, MARKING)
            self.drawCentredString(width / 2, MARGIN / 2 - marking.font_size / 2, MARKING)
            self.setFont(fonts.body, marking.font_size)
            self.drawRightString(width - MARGIN, MARGIN / 2 - marking.font_size / 2,
                                 f"Page {number} of {total}")
            if marking.footer_left:
                self.drawString(MARGIN, MARGIN / 2 - marking.font_size / 2,
                                clean_text(marking.footer_left).replace("\n", " ")[:60])
            self.restoreState()

    return MarkedCanvas


def build_document(story: list[Flowable], title: str, marking: PageMarking) -> bytes:
    """Lay out ``story`` on A4 with the marking; metadata holds only the title and creator."""
    register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author="",
        subject="",
        keywords="",
        creator=CREATOR,
        producer=CREATOR,
        lang="en-GB",
    )
    doc.build(story, canvasmaker=canvas_maker(marking))
    return buffer.getvalue()


def protect(pdf_bytes: bytes, password: str) -> bytes:
    """Encrypt a PDF with AES-256 (pypdf) so that it opens only with ``password``.

    reportlab's own AES mode writes files other readers cannot open, so the PDF is built
    plain and encrypted afterwards. The owner password is random and thrown away.
    """
    if not password:
        raise ValueError("a password is required to protect a PDF")
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf_bytes)))
    writer.encrypt(user_password=password, owner_password=secrets.token_urlsafe(32),
                   algorithm="AES-256")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _slug(value: str, allowed: str, limit: int) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(rf"[^{allowed}]+", "-", value).strip("-")[:limit].strip("-")


def safe_filename(kind: str, case_reference: str, produced_at: datetime,
                  avoid: Iterable[str] = ()) -> str:
    """E.g. ``rhc-police-CR-20931-2026-11-24.pdf``: never the child's name.

    Only the case reference identifies the child, as on the case system. If the reference
    contains any word passed in ``avoid`` (give it the child's name), it is left out.
    """
    kind_slug = _slug(kind.lower(), "a-z0-9", 20) or "document"
    ref = _slug(case_reference or "", "A-Za-z0-9", 40)
    for word in avoid:
        for part in re.split(r"\W+", _slug(word, "A-Za-z0-9 ", 200)):
            if len(part) >= 3 and part.lower() in ref.lower():
                ref = ""
    day = london_date(produced_at).isoformat()
    return f"rhc-{kind_slug}-{ref or 'no-ref'}-{day}.pdf"
