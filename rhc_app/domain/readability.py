"""How hard a text written to a child is to read, and which professional words to change.

The record is "written to the child": children are 10-17, many have missed school and
English may not be their first language. Workers need a quick, honest prompt while they
write, not a gate: this gives a reading age, the sentences over 20 words, and the jargon
with plain words to use instead (with character offsets, so a page can highlight them).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import textstat

LONG_SENTENCE_WORDS = 20
MIN_READING_AGE = 5
MAX_READING_AGE = 18

#: term -> (regular expression, plain words to use instead). Matched case-insensitively on
#: word boundaries, plurals included. Keys are what a JargonHit reports as its term.
JARGON: dict[str, tuple[str, str]] = {
    "CSE": (r"CSE", 'say what happened, e.g. "people pressuring you into sexual things"'),
    "CCE": (r"CCE", 'say what happened, e.g. "people making you do crime for them"'),
    "NRM": (r"NRM", "a way to get you extra help and protection"),
    "MACE": (r"MACE", "a meeting of people who work to keep young people safe"),
    "MASH": (r"MASH", "the team that checks if a child needs help"),
    "CLA": (r"CLA", "in care"),
    "LAC": (r"LAC", "in care"),
    "looked after child": (r"looked[\s-]+after[\s-]+child(?:ren)?", "in care"),
    "VOLT": (r"VOLT", "what we talked about"),
    "RHI": (r"RHIs?", "our talk after you came back"),
    "RHC": (r"RHCs?", "our talk after you came back"),
    "return home interview": (r"return\s+home\s+interviews?", "our talk after you came back"),
    "MVE": (r"MVE", "the team that helps young people who go missing"),
    "CAWN": (r"CAWNs?", "a police letter telling someone to stay away from you"),
    "IRO": (r"IROs?", "the person who checks your care plan is right for you"),
    "absconded": (r"abscond(?:ed|s)?", "left"),
    "absconding": (r"absconding", "leaving"),
    "absconder": (r"absconders?", "do not label the child: say \"you left\""),
    "exploitation": (r"exploitation", 'someone taking advantage of you'),
    "exploited": (r"exploit(?:ed|s|ing)?", "taken advantage of"),
    "perpetrator": (r"perpetrators?", "the person who hurt you"),
    "county lines": (r"county[\s-]+lines?", "people who make young people carry or sell drugs"),
    "prostitution": (
        r"prostitut(?:ion|e|es|ed|ing)",
        'never use for a child: "someone pressuring you into sexual things"',
    ),
    "nominal": (r"nominals?", "do not label: use the person's name or \"someone\""),
    "section 47": (r"section\s*47|s\.?47", "social workers checking that you are safe"),
    "strategy meeting": (
        r"strategy\s+(?:meeting|discussion)s?",
        "people who help keep you safe will meet to talk about how to help",
    ),
    "safeguarding": (r"safeguard(?:ing|ed|s)?", "keeping you safe"),
    "placement breakdown": (
        r"placement\s+break(?:down|s\s+down|ing\s+down)",
        "when living there stopped working",
    ),
    "placement": (r"placements?", "the place where you live"),
    "disclosure": (r"disclos(?:ure|ures|ed|e|es|ing)", "what you told me"),
    "risk assessment": (
        r"risk\s+assessments?",
        "thinking about what could harm you and how to stop it",
    ),
    "multi-agency": (r"multi[\s-]?agency", "people from different services"),
    "referral": (r"referrals?", "asking another service to help"),
    "grooming": (r"groom(?:ing|ed)", "someone being nice to you so they can trick or use you"),
    "missing episode": (r"missing\s+episodes?", "the time you were away"),
    "push factors": (r"push\s+factors?", "things that made you want to leave"),
    "pull factors": (r"pull\s+factors?", "things that drew you somewhere else"),
    "MARAC": (r"MARAC", "a meeting to keep people safe from harm at home"),
}

#: Acronyms that are also everyday words ("mash", "mace", "volt"): matched only in capitals.
_CAPITALS_ONLY = frozenset({"MASH", "MACE", "VOLT", "LAC"})


@dataclass(frozen=True)
class JargonHit:
    term: str  # the key in JARGON; text[start:end] is what was written
    start: int
    end: int
    suggestion: str


@dataclass(frozen=True)
class ReadabilityReport:
    """grade: Flesch-Kincaid (US school grade); reading_age: UK reading age in years.

    Sequences are tuples: long_sentences holds (start, end, sentence) for each sentence over
    LONG_SENTENCE_WORDS words; jargon holds JargonHit in text order. Offsets index the text.
    """

    grade: float | None
    reading_age: int | None
    word_count: int
    sentence_count: int
    long_sentences: tuple[tuple[int, int, str], ...]
    jargon: tuple[JargonHit, ...]


_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
#: Linear on any text: a run of stops is tried only from its first character and taken whole
#: (possessive), so "!!!…!x" is one failed try, not one per "!" with backtracking in each.
_SENTENCE_END = re.compile(
    r"(?<![.!?\u2026])[.!?\u2026]++[\"'\u2019\u201d)\]]*+(?=\s|$)|\n++")


def _compile() -> list[tuple[str, re.Pattern[str]]]:
    compiled = []
    for term, (pattern, _suggestion) in JARGON.items():
        flags = 0 if term in _CAPITALS_ONLY else re.IGNORECASE
        compiled.append((term, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", flags)))
    return compiled


_JARGON_PATTERNS = _compile()


def _clean(text: str) -> str:
    """Replace control characters and lone surrogates by spaces, keeping every offset."""
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" else c for c in text
    )


def reading_age_for(grade: float) -> int:
    """UK reading age from a US school grade: reading age ≈ grade + 5, within 5..18.

    US grade 1 is the year a child turns 7 (UK Year 2), and the Flesch-Kincaid grade is the
    US grade whose pupils could read the text, so a grade of 6 reads at about age 11.
    """
    age = math.floor(grade + 5 + 0.5)
    return max(MIN_READING_AGE, min(MAX_READING_AGE, age))


def sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) for each sentence; a line break also ends a sentence."""
    found = []
    start = 0
    for match in list(_SENTENCE_END.finditer(text)) + [None]:
        end = match.end() if match else len(text)
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = start + (len(chunk) - len(chunk.lstrip()))
            found.append((lead, lead + len(stripped), stripped))
        start = end
    return found


def find_jargon(text: str) -> list[JargonHit]:
    """Every jargon term in ``text``, in order; overlapping matches keep the longest."""
    hits: list[JargonHit] = []
    for term, pattern in _JARGON_PATTERNS:
        for match in pattern.finditer(text):
            hits.append(JargonHit(term, match.start(), match.end(), JARGON[term][1]))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[JargonHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def analyse(text: str | None) -> ReadabilityReport:
    """Reading age, long sentences and jargon for ``text``. Empty text gives reading_age None."""
    text = _clean(text or "")
    words = _WORD.findall(text)
    spans = sentences(text)
    if not words:
        return ReadabilityReport(None, None, 0, 0, (), ())
    long_ones = tuple(
        span for span in spans if len(_WORD.findall(span[2])) > LONG_SENTENCE_WORDS
    )
    grade = round(float(textstat.flesch_kincaid_grade(text)), 1)
    return ReadabilityReport(
        grade=grade,
        reading_age=reading_age_for(grade),
        word_count=len(words),
        sentence_count=len(spans),
        long_sentences=long_ones,
        jargon=tuple(find_jargon(text)),
    )
