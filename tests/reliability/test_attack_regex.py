"""Finding 3 of the attack issue, its regex part: every regex on user text is linear.

The summary "check" with 19,999 "!" then a letter took 5 s: the sentence-end pattern tried a
run of stops from each of its characters, backtracking through the rest each time. It and
the two other patterns that could backtrack (the admin form's e-mail format, the dataset's
date-time) are now possessive. Timing is the benchmark's job (``python -m bench.worst_case``
times each worst input against its budget); here each pattern is fed the worst inputs the
forms accept and must give the answers the old pattern gave, on those and on generated text.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bench import worst_case
from rhc_app.domain import dataset
from rhc_app.domain.readability import _SENTENCE_END, analyse, sentences
from rhc_app.web.admin.forms import UserForm

# The patterns as they were: the reference for what the linear ones must still match.
OLD_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u2019\u201d)\]]*(?=\s|$)|\n+")
OLD_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
OLD_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?", re.ASCII)

EMAIL = next(v.regex for v in UserForm.email.kwargs["validators"] if hasattr(v, "regex"))


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="a.!?\u2026'\")] \n", max_size=40))
def test_sentence_ends_are_found_as_before(text: str) -> None:
    assert _spans(_SENTENCE_END, text) == _spans(OLD_SENTENCE_END, text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="a@. \n", max_size=14))
def test_email_format_is_judged_as_before(text: str) -> None:
    assert bool(EMAIL.match(text)) == bool(OLD_EMAIL.match(text))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789:., Zz+-x", max_size=16))
def test_dataset_date_times_are_read_as_before(tail: str) -> None:
    value = "2024-04-01 10:00" + tail
    new, old = dataset._DATETIME.fullmatch(value), OLD_DATETIME.fullmatch(value)
    assert (new and new.groups()) == (old and old.groups())


def test_the_readability_check_reads_every_worst_text() -> None:
    for name, text in worst_case.check_texts().items():
        report = analyse(text)
        assert report.sentence_count == len(sentences(text)), name
    one = analyse("!" * 19_999 + "x")  # the attack: one "word", no sentence end before it
    assert (one.word_count, one.sentence_count) == (1, 1)
    stops = analyse("Go home." + "." * 19_990 + " Now")
    assert stops.sentence_count == 2


def test_the_other_patterns_answer_their_worst_inputs() -> None:
    for name, pattern, text in worst_case.regex_inputs():
        assert not pattern(text) or name.startswith("blank-line"), name
    assert EMAIL.match("lead@harbourside.example") and not EMAIL.match("a@" + "." * 10_000 + "@")
    row = dataset._DATETIME.fullmatch("2024-04-01 10:00:00." + "1" * 100_000)
    assert row is not None and row.group(7) == "111111"


def test_the_identifier_patterns_answer_their_worst_inputs_at_once() -> None:
    """The people and places index reads every box of every person and place: long runs of
    what each pattern could start on must not make it backtrack (each tries a bounded span)."""
    import time

    from rhc_app.domain.identifiers import entry_tokens, in_text

    worst = ["0" * 50_000, "0 " * 25_000, "(" * 50_000 + "1", "+" * 50_000, "@" * 50_000,
             "@a" * 25_000, "AB12" * 12_500, "A1" * 25_000 + "1AA", "a" * 50_000 + "1",
             "07700 " * 8_000]
    for text in worst:
        # CPU, not the wall clock: a backtracking pattern burns seconds of it, while a busy
        # machine only delays the test.
        started = time.process_time()
        in_text(text)
        entry_tokens("person", {"name": text, "description": text})
        assert time.process_time() - started < 2, text[:20]
    assert in_text("x" * 10_000 + " 07700 900123") == [("phone", "+447700900123")]
