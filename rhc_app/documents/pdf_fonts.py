"""The fonts of RHC documents, and how right-to-left words are shaped.

Why a module of its own: which font draws a character, and how Arabic-script words are
joined (HarfBuzz, through reportlab), is one decision; a name can be in any script the
children write in (issue 12). Words are put in drawing order per printed line (pdf_bidi)
and copy out as typed (pdf_unicode).
"""

from __future__ import annotations

import dataclasses
import glob
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bidi.mirror import MIRRORED
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import paragraph as rl_paragraph

from rhc_app.documents.pdf_unicode import map_shaped_glyphs, mirrored_run

BODY_FONT = "RHCSans"
BOLD_FONT = "RHCSans-Bold"
FALLBACK_FONT = "RHCFallback"
ARABIC_FONT = "RHCArabic"

_DEJAVU_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
#: TrueType-outline fonts with CJK coverage, best first. (Noto CJK ships CFF outlines in
#: .ttc files, which reportlab cannot embed; it is tried last and skipped if it fails.)
_FALLBACK_PATTERNS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/**/NotoSansCJK*-Regular.tt[cf]",
)

#: Fonts for scripts neither DejaVu nor the CJK font has (Debian's fonts-noto-core and
#: fonts-symbola): each is used only for characters the fonts before it lack.
_EXTRA_FONTS = (
    (ARABIC_FONT, "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"),
    ("RHCEthiopic", "/usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf"),
    ("RHCSymbol", "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),
)

#: Most changes between the body and fallback fonts in one piece of text: each change is a
#: fragment reportlab lays out on its own. Real text changes script a few times a line;
#: past this (text built to alternate) the rest of the piece stays in the fallback font.
MAX_FONT_CHANGES = 64

#: What HarfBuzz may do to a word (reportlab's default also turns on liga and dlig).
#: Arabic's joining forms and its required lam-alef are on whatever this says; liga and
#: dlig would print "ﬀ" for "ff" and "ﷴ" for محمد, which copy out of the PDF as other
#: characters.
SHAPING_FEATURES = {"kern": True, "liga": False, "dlig": False}
_rl_shape_frag_word = ttfonts.shapeFragWord


def _shape_word(word: Any, features: Any = None, force: bool = False) -> Any:
    """reportlab's shapeFragWord, for right-to-left words in one font only.

    Why: reportlab shapes a word with its first fragment's font and then reads the glyphs
    against each fragment's own font, so a word in two fonts ("Mei陈", or a letter DejaVu
    lacks) comes out as wrong glyphs or fails; and only Arabic-script words need shaping,
    so Latin text is drawn exactly as before. reportlab is pinned (5.1); this replaces the
    name its paragraph module calls.
    """
    parts = [(frag, text) for frag, text in word[1:] if not hasattr(frag, "cbDefn")]
    if not any(_RTL_RUN.search(text) for _frag, text in parts):
        return word
    if len({frag.fontName for frag, _text in parts}) != 1:
        return _shape_bracketed(word, parts, features, force)
    if len(word) == 2 and len(parts) == 1:
        return _shape_one_fragment(word, parts[0], features, force)
    return _shape_in_one_font(word, parts, features, force)


#: Shaped single-fragment words, by what shaping reads: a text repeats its words, and
#: HarfBuzz plus the glyph codes were most of a right-to-left record's PDF time. The glyph
#: codes are the process's own (pdf_unicode), so a word shaped once is drawn alike in every
#: document. Bounded: cleared when full.
_SHAPED: dict[tuple[Any, ...], tuple[Any, ...] | None] = {}
_SHAPED_MAX = 50_000
_MISSING: Any = object()


def _shape_one_fragment(word: Any, part: tuple[Any, str], features: Any, force: bool) -> Any:
    frag, text = part
    key = (type(word), frag.fontName, frag.fontSize, text, force,
           tuple(sorted((features or SHAPING_FEATURES).items())))
    hit = _SHAPED.get(key, _MISSING)
    if hit is _MISSING:
        shaped = _shape_in_one_font(word, [part], features, force)
        if shaped is not word and len(shaped) != 2:
            return shaped  # not the shape of one fragment: nothing to keep
        if len(_SHAPED) >= _SHAPED_MAX:
            _SHAPED.clear()
        _SHAPED[key] = None if shaped is word else (type(shaped), shaped[0], shaped[1][1],
                                                    shaped.rhc_typed)
        return shaped
    if hit is None:
        return word
    cls, width, drawn, typed = hit
    out = cls([width, (frag, drawn)])
    out.rhc_typed = typed
    return out


def _shape_in_one_font(word: Any, parts: list[Any], features: Any, force: bool) -> Any:
    shaped = _rl_shape_frag_word(word, features or SHAPING_FEATURES, force)
    if shaped is word:
        return word
    return map_shaped_glyphs(shaped, "".join(text for _frag, text in parts))


#: Bidirectional classes of punctuation and symbols: neither left-to-right nor a digit.
_NEUTRAL = frozenset({"ON", "CS", "ES", "ET", "WS", "BN", "NSM"})


def _shape_bracketed(word: Any, parts: list[Any], features: Any, force: bool) -> Any:
    """A right-to-left word with punctuation its font lacks ("(زهرا)": Noto Sans Arabic has
    no brackets): each run shaped in its own font, the runs drawn right to left and the
    brackets mirrored, as the bidirectional algorithm draws them (UAX #9, L4).

    A word with Latin letters or digits glued on ("Zoëمحمد") is left as it is typed.
    """
    if len(parts) != len(word) - 1 or any(
            not _RTL_RUN.search(text) and not _NEUTRAL.issuperset(map(unicodedata.bidirectional,
                                                                       text))
            for _frag, text in parts):
        return word
    width, pieces = 0.0, []
    for frag, text in reversed(parts):
        if _RTL_RUN.search(text):
            sub = _shape_word([pdfmetrics.stringWidth(text, frag.fontName, frag.fontSize),
                               (frag, text)], features, force)
            width += sub[0]
            pieces.extend(sub[1:])
        else:
            drawn = "".join(MIRRORED.get(char, char) for char in reversed(text))
            width += pdfmetrics.stringWidth(drawn, frag.fontName, frag.fontSize)
            pieces.append((frag, mirrored_run(frag.fontName, text)))
    shaped = ttfonts.makeShapedFragWord(word)([width, *pieces])
    shaped.rhc_typed = "".join(text for _frag, text in parts)
    return shaped


if ttfonts.uharfbuzz is not None:
    rl_paragraph.shapeFragWord = _shape_word


@dataclass(frozen=True)
class Fonts:
    body: str
    bold: str
    fallback: str | None
    body_chars: frozenset[int]
    fallback_chars: frozenset[int]
    #: (font name, its characters) for the fonts of _EXTRA_FONTS that are installed.
    extras: tuple[tuple[str, frozenset[int]], ...] = ()
    #: Characters drawn in the body font whatever is next to them, with the layout ones:
    #: a text of only these is one run, without asking font_for of each character.
    body_only: frozenset[str] = frozenset()

    def arabic_has(self, char: str) -> bool:
        """Whether the Arabic font has ``char`` and it is not a left-to-right letter."""
        return bool(self.extras) and self.extras[0][0] == ARABIC_FONT and \
            ord(char) in self.extras[0][1] and unicodedata.bidirectional(char) != "L"

    def has(self, font: str | None, code: int) -> bool:
        """Whether ``font`` (None for the body font) draws ``code``."""
        if font is None:
            return code in self.body_chars
        if font == self.fallback:
            return code in self.fallback_chars
        return any(code in chars for name, chars in self.extras if name == font)

    def font_for(self, code: int) -> str | None:
        """The font to draw ``code`` in, or None for the body font.

        Arabic-script letters all go to the Arabic font when it is installed: a word split
        between two fonts cannot be joined, and DejaVu lacks letters of Urdu and Pashto.
        """
        if self.extras and self.extras[0][0] == ARABIC_FONT and code in self.extras[0][1] \
                and unicodedata.bidirectional(chr(code)) == "AL":
            return ARABIC_FONT
        if code in self.body_chars:
            return None
        if code in self.fallback_chars:
            return self.fallback
        for name, chars in self.extras:
            if code in chars:
                return name
        return None


def _find(filename: str) -> str:
    for folder in _DEJAVU_DIRS:
        path = os.path.join(folder, filename)
        if os.path.exists(path):
            return path
    raise RuntimeError(f"{filename} not found: install Debian's fonts-dejavu-core")


@lru_cache(maxsize=1)
def register_fonts() -> Fonts:
    """Register DejaVu Sans (embedded, subset) once per process, plus a CJK fallback if any.

    The base-14 PDF fonts cannot show Ł, Мария or محمد; DejaVu can. DejaVu has no CJK, so a
    fallback font is registered when one of the known files exists (RHC_PDF_FALLBACK_FONT
    may name another).
    """
    body = TTFont(BODY_FONT, _find("DejaVuSans.ttf"))
    bold = TTFont(BOLD_FONT, _find("DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFont(body)
    pdfmetrics.registerFont(bold)
    pdfmetrics.registerFontFamily(BODY_FONT, normal=BODY_FONT, bold=BOLD_FONT,
                                  italic=BODY_FONT, boldItalic=BOLD_FONT)
    fallback: TTFont | None = None
    candidates = [os.environ.get("RHC_PDF_FALLBACK_FONT", "")]
    for pattern in _FALLBACK_PATTERNS:
        candidates.extend(sorted(glob.glob(pattern, recursive=True)))
    for path in filter(None, candidates):
        try:
            fallback = TTFont(FALLBACK_FONT, path, subfontIndex=0)
            pdfmetrics.registerFont(fallback)
            break
        except (TTFError, OSError, ValueError, KeyError):
            fallback = None
    extras = []
    for name, path in _EXTRA_FONTS:
        if os.path.exists(path):
            extra = TTFont(name, path)
            pdfmetrics.registerFont(extra)
            extras.append((name, frozenset(extra.face.charToGlyph)))
    fonts = Fonts(
        body=BODY_FONT,
        bold=BOLD_FONT,
        fallback=FALLBACK_FONT if fallback else None,
        body_chars=frozenset(body.face.charToGlyph),
        fallback_chars=frozenset(fallback.face.charToGlyph) if fallback else frozenset(),
        extras=tuple(extras),
    )
    only = {chr(c) for c in fonts.body_chars if fonts.font_for(c) is None}
    return dataclasses.replace(fonts, body_only=frozenset(only | {"\n", "\t", " "}))


#: Letters (and their marks) of the right-to-left scripts: Hebrew, Arabic and its
#: presentation forms. A run of them is one word's letters; HarfBuzz orders those itself.
_RTL_RUN = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]+")
