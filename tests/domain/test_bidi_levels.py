"""A line with only right-to-left letters and neutrals skips python-bidi's rules (they were
most of a PDF's time for a record written in Arabic): the levels must be the rules' own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rhc_app.documents import pdf_bidi

# Arabic, Hebrew and Persian letters, Arabic marks (NSM), spaces, tabs, punctuation, the
# Arabic comma and question mark, a percent and a plus (ET, ES), a colon (CS).
RIGHT_TO_LEFT_AND_NEUTRAL = "ابتثجحخدذرسشصضطظعغفقكلمنهوي" "אבגדה" "پچژگ" "\u064b\u064e\u0650" \
    " \t.,;:!?()[]«»\"'-،؟%+/*"
WORDS = st.lists(st.text(RIGHT_TO_LEFT_AND_NEUTRAL, min_size=1, max_size=8), min_size=1,
                 max_size=12)


def _by_the_rules(words: list[str], base_rtl: bool | None) -> list[tuple[int, int]]:
    return pdf_bidi.by_word(pdf_bidi._levels(" ".join(words), base_rtl), words)


@settings(max_examples=400, deadline=None)
@given(WORDS, st.sampled_from([None, True]))
def test_the_shortcut_gives_the_rules_levels(words: list[str], base_rtl: bool | None) -> None:
    if not pdf_bidi.is_rtl(" ".join(words)) and not base_rtl:
        return  # a line with no right-to-left letter takes the left-to-right path
    assert pdf_bidi._all_right_to_left(" ".join(words))
    assert pdf_bidi.word_levels(words, base_rtl) == _by_the_rules(words, base_rtl)


def test_a_digit_or_a_latin_letter_takes_the_rules() -> None:
    for line in (["سلام", "12"], ["سلام", "Zoë"], ["سلام", "\u202a"]):
        assert not pdf_bidi._all_right_to_left(" ".join(line))
        assert pdf_bidi.word_levels(line) == _by_the_rules(line, None)
    assert pdf_bidi.word_levels(["سلام", "12"])[1][0] == 2  # a number is raised
