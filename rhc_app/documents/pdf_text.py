"""User text as reportlab paragraphs whose layout costs time linear in the text.

Why a module of its own: every limit here exists because a record built to be slow (short
lines, entities, tall cells) once outlasted the worker timeout; see bench/worst_case.py.
"""

from __future__ import annotations

import re
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaParser

from rhc_app.documents.pdf_bidi import Known, base_is_rtl, order_lines
from rhc_app.documents.pdf_common import clean_text, escape_markup

#: Longest run of text in one Paragraph. Bounded pieces keep layout fast and predictable.
MAX_PARAGRAPH_CHARS = 1500
#: Most line breaks in one Paragraph: with the character bound, a piece is shorter than a page.
MAX_PARAGRAPH_LINES = 20

#: Every character that reads right to left (bidirectional class R or AL) is in these
#: ranges (tests/web/test_pdf_plain_text.py checks all of Unicode). Text with none of them
#: needs no HarfBuzz shaping and no line ordering: it is laid out as plain reportlab text.
MAYBE_RTL = re.compile("[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufeff"
                       "\U00010800-\U00010fff\U0001e800-\U0001efff]")
_PLAIN: WeakKeyDictionary[ParagraphStyle, ParagraphStyle] = WeakKeyDictionary()
_JOINED: WeakKeyDictionary[ParagraphStyle, ParagraphStyle] = WeakKeyDictionary()
_TEMPLATES: WeakKeyDictionary[ParagraphStyle, tuple[Any, ...]] = WeakKeyDictionary()
#: Text reportlab's parser would do more with than keep as one run: markup and entities,
#: and the spaces its word splitting and Python's disagree on (a run of them is collapsed).
_NOT_ONE_RUN = re.compile(r"[<&\xa0\u200b]|[^\S ]")


def _plain(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` without shaping: made once per style, not once per paragraph."""
    twin = _PLAIN.get(style)
    if twin is None:
        twin = _PLAIN[style] = ParagraphStyle(f"{style.name}-plain", parent=style, shaping=0)
    return twin


class _TextParser(ParaParser):
    """reportlab's parser, with entities turned into text before it sees them: its own
    handling makes a fragment of every entity, and each is laid out on its own."""

    def __init__(self) -> None:
        super().__init__()
        self.convert_charrefs = True


class TextParagraph(Paragraph):
    """A Paragraph of escaped user text that costs what plain text costs.

    Why: a note of "<&>" repeated was thousands of fragments a paragraph (9 s for one
    record). Replaces the parse step of a private method: reportlab is pinned.
    """

    def _setup(self, text: str, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:
        if frags is None and not _NOT_ONE_RUN.search(text):
            run = cleaner(text)
            if run:  # one run of text: the parser's own fragment for this style, copied
                frags = [_template(style)[0].clone(text=run, link=[], us_lines=[])]
                textTransformFrags(frags, style)
        if frags is None:
            parser = _TextParser()
            parser.caseSensitive = self.caseSensitive
            style, frags, bullet_frags = parser.parse(cleaner(text), style)
            if frags is None:
                raise ValueError("paragraph markup could not be parsed")  # no text: logs
            textTransformFrags(frags, style)
            bulletText = bullet_frags or bulletText
        super()._setup(text, style, bulletText, frags, cleaner)
        # The paragraph reads right to left when its first letter does (a piece split off
        # another takes that one's direction and levels instead: see split).
        self.levels: Known = {}
        self.plain = False
        if is_processed(self.frags):
            self.rtl = False
            return
        typed = "".join(getattr(frag, "text", "") for frag in self.frags)
        if not MAYBE_RTL.search(typed) and not MAYBE_RTL.search(str(bulletText or "")):
            self.plain, self.rtl = True, False  # no shaping, no ordering: plain text's cost
            self.style = _plain(self.style)
            return
        self.rtl = base_is_rtl(typed)
        if self.rtl and self.style.alignment == TA_LEFT:
            self.style = ParagraphStyle(f"{self.style.name}-rtl", parent=self.style,
                                        alignment=TA_RIGHT)

    def breakLines(self, width: Any) -> Any:
        """reportlab's lines, broken in typed order, each then put in drawing order."""
        para = super().breakLines(width)
        if para.kind == 1 and not self.plain:
            order_lines(para, self.frags, self.rtl, self.levels)
        return para

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        for part in parts:
            # The parts hold the same words.
            part.rtl, part.levels, part.plain = self.rtl, self.levels, self.plain
        return parts


def _template(style: ParagraphStyle) -> tuple[Any, ...]:
    """What reportlab's parser makes of "x" and of "<b>x</b> y" in ``style`` (once per
    style): the fragments a run of text, or a bold label and its value, are copies of.

    Why: parsing was a fifth of the police record's build, for text with no markup."""
    made = _TEMPLATES.get(style)
    if made is None:
        one = ParaParser().parse("x", style)[1]
        two = ParaParser().parse("<b>x</b> y", style)[1]
        made = _TEMPLATES[style] = (one[0], *two)
    return made


def label_frags(label: str, value: str, style: ParagraphStyle) -> list[Any] | None:
    """The fragments reportlab's parser makes of ``<b>label</b> value`` (both escaped
    already), without parsing; None when either is more than one run of text."""
    if _NOT_ONE_RUN.search(label) or _NOT_ONE_RUN.search(value):
        return None
    value = cleanBlockQuotedText(value)
    if not value or not label or cleanBlockQuotedText(label) != label:
        return None
    _one, bold, rest = _template(style)
    return [bold.clone(text=label, link=[], us_lines=[]),
            rest.clone(text=f" {value}", link=[], us_lines=[])]


def is_processed(frags: Any) -> bool:
    """Whether ``frags`` are reportlab's frag words (a piece split off a paragraph)."""
    return bool(frags) and isinstance(frags[0], list) and isinstance(frags[0][0], (int, float))


def split_blocks(text: str | None, limit: int = MAX_PARAGRAPH_CHARS,
                 max_lines: int = MAX_PARAGRAPH_LINES) -> list[tuple[str, bool]]:
    """User text as (piece, ends its block) pairs: at most ``limit`` characters and
    ``max_lines`` line breaks in a piece.

    Splits at blank lines first, then at the last line break, sentence end or space before
    the limit. Why the line bound: reportlab re-breaks a paragraph's remaining lines each
    time it splits one across a page, so a piece of 750 short lines cost 15 passes; a piece
    shorter than a page is split at most once, and the whole build stays linear.
    """
    pieces: list[tuple[str, bool]] = []
    for block in re.split(r"\n\s*\n", clean_text(text)):
        block = block.strip("\n")
        start, end = 0, len(block)
        while end - start > limit or block.count("\n", start, min(end, start + limit)) >= max_lines:
            cut = _cut(block, start, limit, max_lines)
            pieces.append((block[start:cut].rstrip(), False))
            start = cut
            while start < end and block[start] in " \n":
                start += 1
        rest = block[start:]
        if rest.strip():
            pieces.append((rest, True))
        elif pieces and not pieces[-1][1]:
            pieces[-1] = (pieces[-1][0], True)
    return pieces


def _cut(block: str, start: int, limit: int, max_lines: int) -> int:
    """Where the piece starting at ``start`` ends (an index into ``block``)."""
    at = start - 1
    for _ in range(max_lines):
        at = block.find("\n", at + 1, start + limit)
        if at < 0:
            break
    else:
        return at + 1  # the max_lines-th line break: a whole number of lines
    window_end = min(len(block), start + limit)
    cut = max(block.rfind("\n", start, window_end), block.rfind(". ", start, window_end),
              block.rfind(" ", start, window_end))
    return cut + 1 if cut - start > limit // 2 else start + limit


def split_text(text: str | None, limit: int = MAX_PARAGRAPH_CHARS,
               max_lines: int = MAX_PARAGRAPH_LINES) -> list[str]:
    """The pieces of :func:`split_blocks`, without where their blocks end."""
    return [piece for piece, _end in split_blocks(text, limit, max_lines)]


def joined(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` without space below: for a piece that the next piece carries on (made once
    per style)."""
    twin = _JOINED.get(style)
    if twin is None:
        twin = _JOINED[style] = ParagraphStyle(f"{style.name}-joined", parent=style,
                                               spaceAfter=0)
    return twin


def text_flowables(text: str | None, style: ParagraphStyle, empty: str) -> list[Flowable]:
    """User text as a list of bounded Paragraphs, or one ``empty`` paragraph."""
    pieces = split_blocks(text)
    if not pieces:
        return [TextParagraph(escape_markup(empty), style)]
    carry_on = joined(style)
    return [TextParagraph(escape_markup(piece), style if ends else carry_on)
            for piece, ends in pieces]
