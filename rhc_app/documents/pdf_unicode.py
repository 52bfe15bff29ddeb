"""The PDF's text layer: what copying text out of a document gives back for each glyph.

Why a module of its own: a PDF viewer (and pypdf) reads text through each font's ToUnicode
map, one entry per drawn glyph. reportlab writes an entry as four hex digits, so an emoji
(above U+FFFF) is an entry no reader can use; and it maps a joined Arabic-script glyph to
the character the font lists for it: a presentation form (U+FExx, which searches do not
match) or, for a glyph with no character of its own (Pashto ښ and ګ joined, in Noto), a
private-use code that copies out as nothing readable. Here each glyph HarfBuzz draws gets
a code of its own that maps back to the letters typed (issue 12).
"""

from __future__ import annotations

import threading
from typing import Any

from bidi.mirror import MIRRORED
from reportlab.pdfbase import pdfmetrics, ttfonts

#: Codes handed out for shaped glyphs: Supplementary Private Use Area-A, which no font the
#: documents use maps, so a code never stands for a real character as well.
_FIRST_CODE, _LAST_CODE = 0xF0000, 0xFFFFD
#: A cluster longer than this (a letter under many marks) keeps reportlab's own code: the
#: table of codes stays small whatever is typed.
MAX_CLUSTER_CHARS = 8

_lock = threading.Lock()
_text_of: dict[int, str] = {}  # code -> the characters the glyph stands for
_code_of: dict[tuple[str, int, str], int] = {}  # (font, glyph, characters) -> code


def glyph_code(font: Any, glyph: int, text: str, width: float) -> int | None:
    """The code to draw ``glyph`` of ``font`` with so that it copies out as ``text``.

    The glyph and its width stay those HarfBuzz chose; only the code (and so the
    ToUnicode entry) is new. None when ``text`` is too long or the codes have run out.
    """
    if len(text) > MAX_CLUSTER_CHARS:
        return None
    key = (font.fontName, glyph, text)
    code = _code_of.get(key)  # no lock to read: a code, once given, never changes
    if code is not None:
        return code
    with _lock:
        code = _code_of.get(key)
        if code is None:
            code = _FIRST_CODE + len(_text_of)
            if code > _LAST_CODE:
                return None
            font.face.charToGlyph[code] = glyph
            font.face.charWidths[code] = width
            _text_of[code] = text
            _code_of[key] = code
    return code


def _utf16_hex(code: int) -> str:
    text = _text_of.get(code, chr(code))
    return text.encode("utf-16-be", "surrogatepass").hex().upper()


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's makeToUnicodeCMap, with each entry in UTF-16 (emoji as surrogate pairs)
    and the codes of :func:`glyph_code` mapped to the characters they stand for (an empty
    entry for the second glyph of a letter drawn in two: the first gives the letter)."""
    return "\n".join([
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{index:02X}> <{_utf16_hex(code)}>" for index, code in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ])


# reportlab is pinned (5.1); its font subsets call this module-level name.
ttfonts.makeToUnicodeCMap = to_unicode_cmap


def mirrored_run(font_name: str, text: str) -> str:
    """``text`` as drawn in a right-to-left word: reversed and each bracket mirrored, each
    glyph coded to copy out as the character typed ("(" drawn as ")" copies out as "(")."""
    font = pdfmetrics.getFont(font_name)
    out = []
    for char in reversed(text):
        shown = MIRRORED.get(char, char)
        glyph = font.face.charToGlyph.get(ord(shown))
        code = None if glyph is None else glyph_code(font, glyph, char,
                                                     font.face.charWidths.get(ord(shown), 0))
        out.append(shown if code is None else chr(code))
    return "".join(out)


def logical_text(word: Any) -> str | None:
    """The characters typed for a word shaped by :func:`map_shaped_glyphs`, else None."""
    return getattr(word, "rhc_typed", None)


def map_shaped_glyphs(word: Any, typed: str) -> Any:
    """Give each glyph of the shaped frag word ``word`` a code that copies out as the
    characters of its HarfBuzz cluster of ``typed``, the word's text as typed (in
    typed order). Returns the word, changed in place."""
    pieces = [(i, frag, text) for i, (frag, text) in enumerate(word[1:], start=1)
              if getattr(text, "__shapeData__", None) is not None]
    order = [d.cluster for _i, _f, text in pieces for d in text.__shapeData__]
    clusters = sorted(set(order))
    ends = dict(zip(clusters, [*clusters[1:], len(typed)], strict=True))
    rtl = order[0] > order[-1] if len(clusters) > 1 else True
    given: set[int] = set()
    for index, frag, text in pieces:
        font = pdfmetrics.getFont(frag.fontName)
        to_glyph, chars, data = font.face.charToGlyph, [], []
        for char, shape in zip(text, text.__shapeData__, strict=True):
            cluster = shape.cluster
            letters = "" if cluster in given else typed[cluster:ends[cluster]]
            given.add(cluster)
            if len(letters) <= 1:  # nearly every glyph: one letter, or the rest of one
                glyph = to_glyph.get(ord(char))
                code = None if glyph is None else glyph_code(font, glyph, letters, shape.width)
                chars.append(char if code is None else chr(code))
                data.append(shape)
                continue
            for code, glyph_shape in _glyphs_for(font, char, letters, shape, rtl):
                chars.append(chr(code))
                data.append(glyph_shape)
        word[index] = (frag, ttfonts.ShapedStr("".join(chars), shapeData=data))
    word.rhc_typed = typed
    return word


def _glyphs_for(font: Any, char: str, letters: str, shape: Any,
                rtl: bool) -> list[tuple[int, Any]]:
    """(code, shape data) pairs to draw HarfBuzz's glyph ``char`` with, copying out as
    ``letters``.

    Why more than one for a ligature (lam-alef, ﻻ): a code that copies out as two letters
    is one unit to a reader's text extraction, which then puts it on the wrong side of a
    right-to-left word's other letters. So the glyph gives the first letter and an empty,
    zero-width glyph (the font's zero-width non-joiner) gives each other letter, drawn
    where that letter is read: after it, which is to its left in a right-to-left word.
    """
    glyph = font.face.charToGlyph.get(ord(char))
    blank = font.face.charToGlyph.get(0x200C)
    first = letters[:1] if blank is not None else letters
    code = None if glyph is None else glyph_code(font, glyph, first, shape.width)
    if code is None:
        return [(ord(char), shape)]
    out = [(code, shape)]
    for letter in letters[1:] if blank is not None else "":
        extra = glyph_code(font, blank, letter, 0)
        if extra is not None:
            out.append((extra, ttfonts.ShapeData(shape.cluster, 0, 0, 0, 0, 0)))
    return out[::-1] if rtl else out
