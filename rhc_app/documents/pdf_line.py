"""A "Label: value" paragraph that fits on one line, drawn without reportlab's line breaking.

Why: most of the police record's fields are a few words ("Was the child seen alone? Yes"),
and breaking a paragraph of two styles into lines was the largest part of its build. A line
that fits is drawn with the same text-object calls reportlab's own drawing makes for it, so
the page holds the same bytes; anything else (a value that wraps, right-to-left text, a
piece split off across a page) is laid out by reportlab as before.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.enums import TA_LEFT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from rhc_app.documents.pdf_text import TextParagraph, is_processed


class LabelParagraph(TextParagraph):
    """A TextParagraph of a bold label and its value (see pdf_text.label_frags)."""

    _one_line = False

    def _fits(self, avail_width: float) -> bool:
        """Whether the label and value, as one run of words, fit the first line's width."""
        style, frags = self.style, self.frags
        if (not self.plain or self.bulletText or style.alignment != TA_LEFT
                or style.firstLineIndent or is_processed(frags) or len(frags) != 2):
            return False
        width = avail_width - style.leftIndent - style.rightIndent
        # reportlab also lets a line's spaces shrink a little: a line that fits without
        # that fits with it, so both would print it on one line.
        return sum(stringWidth(f.text, f.fontName, f.fontSize) for f in frags) <= width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._one_line = self._fits(availWidth)
        if not self._one_line:
            return super().wrap(availWidth, availHeight)
        self.width, self.height = availWidth, self.style.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if not self._fits(availWidth):
            return super().split(availWidth, availHeight)
        # As reportlab answers for one line: no orphan, so it moves on whole or stays.
        return [self] if int(availHeight / self.style.leading) >= 2 else []

    def draw(self) -> None:
        if not self._one_line:
            super().draw()
            return
        canvas, style, frags = self.canv, self.style, self.frags
        canvas.saveState()
        tx: Any = canvas.beginText(style.leftIndent, self.height - max(f.fontSize for f in frags))
        tx.setLeading(style.leading)
        colour = None
        for index, frag in enumerate(frags):
            if (tx._fontname, tx._fontsize) != (frag.fontName, frag.fontSize) or not index:
                tx._setFont(frag.fontName, frag.fontSize)
            if colour != frag.textColor:
                colour = frag.textColor
                tx.setFillColor(colour)
            tx._textOut(frag.text, index == len(frags) - 1)
        canvas.drawText(tx)
        canvas.restoreState()
