"""The draft summary written to the child: plain, short, and only child-appropriate facts."""

from __future__ import annotations

from datetime import date

import pytest

from rhc_app.domain.child_summary import (
    AREA_WORDS,
    EMERGENCY,
    HELPLINES,
    NEXT_STEP_WORDS,
    SAFETY_ADVICE_WORDS,
    SummaryFacts,
    draft_summary,
    plain_next_step,
    sentence,
)
from rhc_app.domain.readability import analyse

FULL = SummaryFacts(
    child_first_name="Tamsin",
    worker_first_name="Orla",
    talked_on=date(2026, 11, 24),
    child_words="I want to live with my nan and go back to my old school.",
    areas=list(AREA_WORDS) + ["worker_analysis", "carer_observations"],
    safety_advice=list(SAFETY_ADVICE_WORDS),
    next_steps=list(NEXT_STEP_WORDS),
)

CASES = [
    FULL,
    SummaryFacts("Kit", "Dev", date(2026, 1, 5), "Stop shouting at me.", ["push_factors"],
                 ["phone_charged"], ["Strategy meeting"]),
    SummaryFacts("Zoë", "Łucja", None, "", [], [], []),
    SummaryFacts("Amani", "Rhys", date(2026, 6, 30), "I just want my phone back.",
                 ["victims", "offenders", "locations"], ["tell_someone", "no_lifts"],
                 ["Referral to MACE panel", "NRM referral", "police intelligence report",
                  "Follow-up visit"], helplines=()),
]


@pytest.mark.parametrize("facts", CASES)
def test_draft_reads_at_eleven_or_under_with_no_jargon(facts: SummaryFacts) -> None:
    report = analyse(draft_summary(facts))
    assert report.reading_age is not None and report.reading_age <= 11, report
    assert report.jargon == ()


@pytest.mark.parametrize("facts", CASES)
def test_draft_is_written_to_the_child(facts: SummaryFacts) -> None:
    text = draft_summary(facts)
    assert text.startswith(f"Hi {facts.child_first_name},")
    assert "What happens next is" in text
    assert EMERGENCY in text
    if facts.child_words:
        assert "You said:" in text and facts.child_words in text
    if facts.areas:
        assert "We talked about" in text


def test_template_stays_simple_around_a_long_quote() -> None:
    words = ("Honestly the only reason I keep going back there is that nobody at the placement "
             "ever listens to anything I say and my key worker changes every single month.")
    facts = SummaryFacts("Tamsin", "Orla", date(2026, 11, 24), words, ["pull_factors"])
    text = draft_summary(facts)
    assert words in text
    template = analyse(text.replace(words, ""))
    assert template.reading_age is not None and template.reading_age <= 11
    assert template.jargon == () and template.long_sentences == ()


def test_professional_only_areas_and_unknown_actions_are_left_out() -> None:
    facts = SummaryFacts("Kit", "Dev", None, "", ["worker_analysis", "carer_observations"],
                         ["not-a-code"], ["Referral to MASH", "Section 47 enquiry note"])
    text = draft_summary(facts)
    assert "We talked about:" not in text
    assert "MASH" not in text and "not-a-code" not in text and "Section" not in text
    assert NEXT_STEP_WORDS["strategy_meeting"] in text


def test_plain_words_for_each_area() -> None:
    text = draft_summary(SummaryFacts("Kit", "Dev", areas=["push_factors", "pull_factors"]))
    assert "Things at home that made you want to leave." in text
    assert "push" not in text.lower() and "factor" not in text.lower()


def test_next_steps_from_codes_or_labels() -> None:
    meeting = NEXT_STEP_WORDS["strategy_meeting"]
    assert plain_next_step("strategy_meeting") == meeting
    assert plain_next_step("Strategy meeting") == meeting
    assert plain_next_step("S47 strategy discussion") == meeting
    assert plain_next_step("National Referral Mechanism") == NEXT_STEP_WORDS["nrm"]
    assert plain_next_step("CAMHS referral") == NEXT_STEP_WORDS["mental_health"]
    assert plain_next_step("Something else") is None


def test_helplines_and_date() -> None:
    text = draft_summary(FULL)
    assert "We talked on Tuesday 24 November." in text
    for name, how in HELPLINES:
        assert f"{name}: {how}" in text
    assert "116 000" in text and "0800 1111" in text
    assert text.rstrip().endswith("From Orla")


def test_every_fixed_sentence_is_plain() -> None:
    phrases = [*AREA_WORDS.values(), *SAFETY_ADVICE_WORDS.values(), *NEXT_STEP_WORDS.values(),
               *(f"{n}: {h}" for n, h in HELPLINES), EMERGENCY]
    for phrase in phrases:
        report = analyse(phrase)
        assert report.jargon == (), phrase
        assert report.reading_age is not None and report.reading_age <= 12, phrase
    combined = analyse("\n".join(phrases))
    assert combined.reading_age is not None and combined.reading_age <= 11


@pytest.mark.parametrize("text, ended", [
    ("She did not want to talk", "She did not want to talk."),
    ("She did not want to talk.", "She did not want to talk."),
    ("Northmoor Care Ltd.  ", "Northmoor Care Ltd."),
    ("Is that right?", "Is that right?"),
    ("She said \u201cno.\u201d", "She said \u201cno.\u201d"),
    ("", ""),
])
def test_sentence_ends_with_one_full_stop(text: str, ended: str) -> None:
    assert sentence(text) == ended


def test_helplines_are_listed_once_in_the_draft() -> None:
    text = draft_summary(FULL)  # helplines given as safety advice, and listed
    assert text.count("Missing People") == 1 and text.count("Childline") == 1
    alone = draft_summary(SummaryFacts("Kit", "Dev", None, "", [], ["helplines"], [],
                                       helplines=()))
    assert SAFETY_ADVICE_WORDS["helplines"] in alone  # not listed: the advice names them
    assert ".." not in text and ".." not in alone


def test_the_quote_is_only_the_childs_own_words() -> None:
    text = draft_summary(SummaryFacts("Kit", "Dev", None, "Stop shouting at me.", ["child_wants"]))
    assert "You said: \u201cStop shouting at me.\u201d" in text
    assert "You said" not in draft_summary(SummaryFacts("Kit", "Dev", None, "", ["child_wants"]))
