"""The canvas form's parser on its own: what is kept, cleaned or refused of a posted field."""

from __future__ import annotations

from datetime import datetime

import pytest
from werkzeug.datastructures import MultiDict

from rhc_app.web.conversations.canvas_form import CanvasInputError, parse

CODES = {"bullied", "criminal_activity"}
ACTIONS = {"strategy_meeting", "health"}


def _parse(fields):
    return parse(MultiDict(fields), CODES, ACTIONS)


def test_control_characters_are_dropped_but_tab_newline_and_letters_kept():
    canvas = _parse([("area-victims", "a\x00b\x7fc\x85d\x9fe\tf\r\ng\ud800 Zoë محمد 陈")])
    assert canvas["areas"]["victims"] == "abcde\tf\ng Zoë محمد 陈"


def test_a_risk_factor_or_action_ticked_twice_is_kept_once():
    canvas = _parse([("risk_factors", "bullied"), ("risk_factors", "bullied"),
                     ("risk_factors", "not_a_code"), ("actions", "health"), ("actions", "health")])
    assert (canvas["risk_factors"], canvas["actions"]) == (["bullied"], ["health"])


@pytest.mark.parametrize("posted, kept", [
    ("2026-11-24T09:30+00:00", "2026-11-24T09:30+00:00"),
    ("2026-07-01T09:30+01:00", "2026-07-01T08:30+00:00"),
    ("<script>", ""), ("x" * 500, ""), ("", ""),
])
def test_a_quick_note_keeps_its_time_only_if_it_is_a_time(posted, kept):
    canvas = _parse([("note-count", "1"), ("note-0-text", "Said the bus was late"),
                     ("note-0-at", posted)])
    assert canvas["notes"] == [{"text": "Said the bus was late", "area": "", "at": kept}]


@pytest.mark.parametrize("posted, utc", [
    ("2026-07-01T10:00", "2026-07-01T09:00:00+00:00"),        # UK summer time, as typed
    ("2026-12-01T10:00", "2026-12-01T10:00:00+00:00"),
    ("2026-07-01T10:00+02:00", "2026-07-01T08:00:00+00:00"),  # carries its own offset
])
def test_held_at_is_uk_time_unless_it_says_its_offset(posted, utc):
    held = _parse([("detail-held_at", posted)])["details"]["held_at"]
    assert datetime.fromisoformat(held) == datetime.fromisoformat(utc)


def test_a_held_at_that_is_not_a_time_is_refused():
    with pytest.raises(CanvasInputError) as refused:
        _parse([("detail-held_at", "yesterday teatime"), ("area-victims", "kept")])
    assert "detail-held_at" in refused.value.problems


def test_every_character_is_kept_or_dropped_by_the_one_rule():
    """The cleaning is one regular expression (autosave runs it on the whole form): every
    code point must be judged as the rule says, tab and newline kept, a lone CR dropped."""
    def kept(o: int) -> bool:
        return o in (9, 10) or 32 <= o < 127 or (o >= 160 and not 0xD800 <= o <= 0xDFFF)

    every = "".join(map(chr, range(0x110000)))
    with pytest.raises(CanvasInputError) as too_long:  # refused, and shown back cleaned
        parse(MultiDict([("area-victims", every)]), CODES, ACTIONS)
    assert too_long.value.canvas["areas"]["victims"] == "".join(chr(o) for o in range(0x110000) if kept(o))
