"""The police PDF's shortcuts for plain text give what the full path gives: a text with no
right-to-left letter skips shaping and line ordering, and text all in the body font skips
the font look-up of each character."""

import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from rhc_app.documents import pdf_common
from rhc_app.documents.pdf_common import escape_markup, register_fonts
from rhc_app.documents.pdf_text import MAYBE_RTL


def test_every_right_to_left_character_is_in_the_ranges_that_take_the_full_path():
    missed = [hex(code) for code in range(sys.maxunicode + 1)
              if unicodedata.bidirectional(chr(code)) in ("R", "AL")
              and not MAYBE_RTL.match(chr(code))]
    assert missed == []


def _slow_escape(text):
    """escape_markup without its shortcuts: every character through _font_runs."""
    text = pdf_common.clean_text(text)
    out = []
    for run, face in pdf_common._font_runs(text, register_fonts()):
        escaped = pdf_common._escape(run)
        out.append(f'<font face="{face}">{escaped}</font>' if face else escaped)
    return "".join(out)


def _slow_clean(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n")
    return "".join(c for c in text if c in pdf_common._KEPT or unicodedata.category(c)
                   not in ("Cc", "Cs", "Cf", "Co", "Cn"))


SAMPLES = ["Zoë said <b>no</b> & left", "Łukasz\tMaria\x00\x07\x1b end\x7f", "محمد (زهرا) 12",
           "Mei陈 and 👍🏽 family 👨\u200d👩\u200d👧", "a\u200db \u200c c", "Ђорђе Ελένη ∑ ≠"]
letters = st.text(st.sampled_from("aZé <>&\n\t\r\x00\x1f\x7f\u200c\u200dمح陈Мł👍\u2028\u2029"),
                  max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.sampled_from(SAMPLES), letters, st.text(max_size=40)))
def test_shortcuts_give_what_the_full_path_gives(text):
    assert pdf_common.clean_text(text) == _slow_clean(text)
    assert escape_markup(text) == _slow_escape(text)
