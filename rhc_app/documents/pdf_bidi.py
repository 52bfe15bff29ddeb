"""Right-to-left words in the order they are drawn, one printed line at a time.

Why per printed line: the Unicode bidirectional algorithm orders a line only once it is
known where the line ends (UAX #9, rules L1 and L2). Ordering each typed line before
reportlab wrapped it printed a wrapped Arabic paragraph's last words first. So reportlab
breaks the words in typed order (measuring the shaped words), and each line it makes is
then put in drawing order here. HarfBuzz lays the letters of an Arabic word right to left
itself; this module orders whole words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from bidi import algorithm as uax9
from reportlab.lib.rl_accel import sameFrag
from reportlab.pdfbase import ttfonts

from rhc_app.documents.pdf_unicode import logical_text

_FK_BREAK = 3  # reportlab's kind for a line-break fragment (platypus.paragraph._FK_BREAK)
_ALEF = "\u0627"  # stands in for a shaped word whose typed text is not known


def is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def base_is_rtl(text: str) -> bool:
    """Whether ``text`` reads right to left: its first strong letter is (UAX #9, P2-P3)."""
    return uax9.get_base_level(text) == 1


#: Classes that leave a right-to-left line at level 1 throughout: strong right-to-left
#: letters, and neutrals and separators that, with no digit or left-to-right letter to
#: side with, take the direction around them (UAX #9, W1-W7 and N1-N2).
_STAYS_RTL = frozenset({"R", "AL", "NSM", "WS", "ON", "CS", "ES", "ET", "S", "B"})


def _all_right_to_left(text: str) -> bool:
    """Whether every character of ``text``, a line with a right-to-left letter in it, is at
    level 1 when the line reads right to left: python-bidi's rules, in pure Python, were
    most of the time of a record written in Arabic."""
    return _STAYS_RTL.issuperset(map(unicodedata.bidirectional, text))


def _levels(text: str, base_rtl: bool | None) -> list[int]:
    """The resolved embedding level of each character of one typed line (rules up to I2)."""
    storage = uax9.get_empty_storage()
    level = uax9.get_base_level(text) if base_rtl is None else int(base_rtl)
    storage["base_level"], storage["base_dir"] = level, "LR"[level]
    uax9.get_embedding_levels(text, storage)
    uax9.explicit_embed_and_overrides(storage)
    uax9.resolve_weak_types(storage)
    uax9.resolve_neutral_types(storage, False)
    uax9.resolve_implicit_levels(storage, False)
    return [char["level"] for char in storage["chars"]]


def word_levels(words: Sequence[str], base_rtl: bool | None = None) -> list[tuple[int, int]]:
    """For each word of a typed line: (its level, the level of the space before it).

    A word is drawn as one piece, so its level is the highest of its characters' (a
    number inside Arabic, or a Latin word, is raised above them). The spaces matter too:
    "12 Zoë" in Arabic is two raised runs, each kept in its order, not one.
    """
    text = " ".join(words)
    if not is_rtl(text) and not base_rtl:
        return [(0, 0)] * len(words)
    if base_rtl is not False and _all_right_to_left(text):
        return [(1, 1)] * len(words)
    return by_word(_levels(text, base_rtl), words)


def by_word(levels: Sequence[int], words: Sequence[str]) -> list[tuple[int, int]]:
    """Each word's (level, level of the space before it) from its line's character levels."""
    out, at = [], 0
    for word in words:
        gap = levels[at - 1] if at else levels[0] if levels else 0
        out.append((max(levels[at:at + len(word)], default=gap), gap))
        at += len(word) + 1
    return out


def visual_indexes(levels: Sequence[tuple[int, int]]) -> list[int]:
    """The order to draw one printed line's words in, left to right (UAX #9, L2): from the
    highest level to the lowest odd one, reverse every run of words and the spaces between
    them at that level or above. ``levels`` are :func:`word_levels`' pairs."""
    units: list[tuple[int, int | None]] = []  # (level, word index, or None for a space)
    for index, (level, gap) in enumerate(levels):
        if index:
            units.append((gap, None))
        units.append((level, index))
    odd = [level for level, _index in units if level % 2]
    if odd:
        for level in range(max(lv for lv, _i in units), min(odd) - 1, -1):
            start = None
            for at in range(len(units) + 1):
                inside = at < len(units) and units[at][0] >= level
                if inside and start is None:
                    start = at
                elif not inside and start is not None:
                    units[start:at] = units[start:at][::-1]
                    start = None
    return [index for _level, index in units if index is not None]


def _typed(word: Any) -> str:
    """The typed text of a reportlab frag word ([width, (frag, text), ...])."""
    known = logical_text(word)
    if known is not None:
        return known
    pieces = word[1:]
    if any(getattr(text, "__shapeData__", None) is not None for _frag, text in pieces):
        return _ALEF  # only right-to-left words are shaped (pdf_fonts._shape_word)
    return "".join(text for _frag, text in pieces)


def _is_break(word: Any) -> bool:
    return getattr(word[1][0], "_fkind", None) == _FK_BREAK


#: Levels already worked out, by frag word: id -> (the word, its word_levels pair).
Known = dict[int, tuple[Any, tuple[int, int]]]


def _word_levels(frag_words: list[Any], base_rtl: bool | None, known: Known) -> None:
    """Fill ``known`` for every word of ``frag_words``, a typed line at a time.

    Why kept: reportlab breaks a paragraph again at each wrap and each split, and the
    levels of a word do not change with the width; worked out once, the cost stays linear.
    """
    start = 0
    for end in [*(i for i, w in enumerate(frag_words) if _is_break(w)), len(frag_words)]:
        words = frag_words[start:end]
        if any(known.get(id(w), (None,))[0] is not w for w in words):
            for word, level in zip(words, word_levels([_typed(w) for w in words], base_rtl),
                                   strict=True):
                known[id(word)] = (word, level)
        start = end + 1


def order_lines(para: Any, frag_words: list[Any], base_rtl: bool | None,
                known: Known) -> None:
    """Put each printed line of ``para`` (reportlab's broken lines, kind 1, built from
    ``frag_words`` in typed order) in drawing order, in place."""
    _word_levels(frag_words, base_rtl, known)
    lines = para.lines
    for number, line in enumerate(lines):
        last = lines[number + 1].sFW if number + 1 < len(lines) else len(frag_words)
        words = [w for w in frag_words[line.sFW:last] if not _is_break(w)]
        levels = [known[id(w)][1] for w in words]
        if not any(level for level, _gap in levels) or any(
                hasattr(frag, "cbDefn") for frag in line.words):
            continue
        breaks = [frag for frag in line.words if getattr(frag, "_fkind", None) == _FK_BREAK]
        line.words = _merged([words[i] for i in visual_indexes(levels)]) + breaks


def _merged(words: list[Any]) -> list[Any]:
    """Frag words as one line's fragments, a space between words (as reportlab joins them:
    neighbouring words in the same style share a fragment)."""
    out: list[Any] = []
    runs: list[list[str]] = []  # each fragment's texts, joined once at the end
    source = None
    for word in words:
        frag, text = word[1]
        if not text and len(word) == 2:
            continue  # markup between words ("<b>Name:</b> <font>"): no second space
        if out and (frag is source or sameFrag(out[-1], frag)):
            runs[-1] += [" ", text]
        else:
            if out:
                runs[-1].append(" ")
            out.append(frag.clone())
            runs.append([text])
        source = frag
        for frag, text in word[2:]:
            out.append(frag.clone())
            runs.append([text])
            source = None
    for piece, texts in zip(out, runs, strict=True):
        piece.text = _joined(texts)
    return out


def _joined(texts: list[str]) -> str:
    """Texts as one, keeping HarfBuzz's glyph data for shaped ones (ttfonts.ShapedStr);
    joined once, not added one by one (each addition copies the glyph data so far)."""
    if not any(getattr(text, "__shapeData__", None) is not None for text in texts):
        return "".join(texts)
    data: list[Any] = []
    for text in texts:
        shape = getattr(text, "__shapeData__", None)
        data.extend(shape if shape is not None else [ttfonts._sdSimple] * len(text))
    return ttfonts.ShapedStr("".join(texts), shapeData=data)
