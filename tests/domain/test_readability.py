"""Reading age, long sentences and jargon in text written to a child."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhc_app.domain.readability import (
    JARGON,
    LONG_SENTENCE_WORDS,
    JargonHit,
    analyse,
    find_jargon,
    reading_age_for,
    sentences,
)

SIMPLE = (
    "We met at the park. You told me you were cold and tired. "
    "You said you want to see your mum more. I will talk to your carer. "
    "You can call me any time."
)

DENSE = (
    "Following consideration at the multi-agency strategy meeting, professionals determined "
    "that the young person's repeated unauthorised absences from placement, in the context of "
    "escalating concerns regarding criminal exploitation and associations with individuals "
    "known to be involved in organised criminality, necessitated an immediate referral to the "
    "exploitation panel and consideration of a National Referral Mechanism submission."
)

REQUIRED_TERMS = [
    "CSE", "CCE", "NRM", "MACE", "MASH", "CLA", "LAC", "VOLT", "RHI", "RHC", "MVE", "CAWN",
    "IRO", "absconded", "absconder", "absconding", "exploitation", "exploited", "perpetrator",
    "county lines", "prostitution", "nominal", "section 47", "strategy meeting",
    "safeguarding", "looked after child", "placement breakdown", "disclosure",
    "risk assessment", "multi-agency", "referral",
]


def test_simple_text_reads_at_eleven_or_under() -> None:
    report = analyse(SIMPLE)
    assert report.reading_age is not None and report.reading_age <= 11
    assert report.jargon == () and report.long_sentences == ()
    assert report.word_count == 34 and report.sentence_count == 5


def test_dense_professional_text_reads_older() -> None:
    simple, dense = analyse(SIMPLE), analyse(DENSE)
    assert dense.grade is not None and simple.grade is not None and dense.grade > simple.grade
    assert dense.reading_age is not None and dense.reading_age >= 16
    assert len(dense.long_sentences) == 1
    terms = {hit.term for hit in dense.jargon}
    assert {"multi-agency", "strategy meeting", "placement", "referral"} <= terms


def test_jargon_offsets_and_suggestions() -> None:
    text = "Worries about CSE. The perpetrator was older."
    hits = analyse(text).jargon
    assert [h.term for h in hits] == ["CSE", "perpetrator"]
    cse, perp = hits
    assert (cse.start, cse.end) == (14, 17) and text[cse.start:cse.end] == "CSE"
    assert text[perp.start:perp.end] == "perpetrator"
    assert perp.suggestion == "the person who hurt you"
    assert "sexual" in cse.suggestion
    assert isinstance(cse, JargonHit)


def test_jargon_is_case_insensitive_on_word_boundaries() -> None:
    text = "cse and Perpetrators. CSEx, ACSE and exploitative are not hits. Section 47, s47."
    found = [(h.term, text[h.start:h.end]) for h in find_jargon(text)]
    assert found == [("CSE", "cse"), ("perpetrator", "Perpetrators"),
                     ("section 47", "Section 47"), ("section 47", "s47")]


def test_longest_overlapping_term_wins() -> None:
    text = "After the placement breakdown she was a looked-after child."
    assert [h.term for h in find_jargon(text)] == ["placement breakdown", "looked after child"]


def test_everyday_words_that_are_also_acronyms_only_match_in_capitals() -> None:
    assert find_jargon("We had mash and a volt of fun with the mace.") == []
    assert [h.term for h in find_jargon("The MASH and MACE and VOLT.")] == [
        "MASH", "MACE", "VOLT"]


@pytest.mark.parametrize("term", REQUIRED_TERMS)
def test_every_required_term_is_flagged_with_a_suggestion(term: str) -> None:
    assert term in JARGON
    text = f"We wrote about {term} today."
    hits = find_jargon(text)
    assert [h.term for h in hits] == [term]
    assert text[hits[0].start:hits[0].end].lower() == term.lower()
    assert hits[0].suggestion.strip()


def test_jargon_suggestions_are_plain() -> None:
    for term, (_pattern, suggestion) in JARGON.items():
        assert not any(h.term != term for h in find_jargon(suggestion)), term


def test_long_sentences_are_found_with_offsets() -> None:
    twenty = " ".join(["word"] * LONG_SENTENCE_WORDS) + "."
    twenty_one = " ".join(["long"] * (LONG_SENTENCE_WORDS + 1)) + "!"
    text = f"Short one. {twenty} {twenty_one}\nAnother short line"
    report = analyse(text)
    assert len(report.long_sentences) == 1
    start, end, sentence = report.long_sentences[0]
    assert sentence == twenty_one and text[start:end] == twenty_one


def test_sentences_split_at_line_breaks_and_quotes() -> None:
    text = 'She said "go away." Then left\n- a list item\n\nEnd?'
    assert [s[2] for s in sentences(text)] == ['She said "go away."', "Then left",
                                                 "- a list item", "End?"]


@pytest.mark.parametrize("text", ["", "   \n\t", "...", "\U0001f600", None])
def test_empty_text_gives_no_reading_age(text: str | None) -> None:
    report = analyse(text)
    assert report.grade is None and report.reading_age is None
    assert report.jargon == () and report.long_sentences == ()


def test_reading_age_is_grade_plus_five_clamped() -> None:
    assert reading_age_for(6.0) == 11
    assert reading_age_for(6.4) == 11
    assert reading_age_for(6.5) == 12
    assert reading_age_for(-4.0) == 5
    assert reading_age_for(40.0) == 18


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_unicode_text_is_analysed_without_error(text: str) -> None:
    report = analyse(text)
    if report.reading_age is not None:
        assert 5 <= report.reading_age <= 18
    for start, end, sentence in report.long_sentences:
        assert 0 <= start < end <= len(text) and len(sentence) == end - start
    for hit in report.jargon:
        assert 0 <= hit.start < hit.end <= len(text)
        assert re.search(r"\w", text[hit.start:hit.end])


def test_control_characters_keep_offsets() -> None:
    text = "\x00\x01 The perpetrator\ud800 left."
    hit = analyse(text).jargon[0]
    assert text[hit.start:hit.end] == "perpetrator"
