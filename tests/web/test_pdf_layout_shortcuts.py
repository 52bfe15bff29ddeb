"""The police record's two layout shortcuts (text that needs no parsing, a label and value
that fit on one line) must print exactly what reportlab's own parsing and line breaking
print: the same bytes on every page, for values either side of a line's width."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from rhc_app.documents import pdf_blocks, pdf_line, pdf_text
from rhc_app.documents.pdf_blocks import styles
from rhc_app.documents.pdf_text import TextParagraph, label_frags
from rhc_app.documents.police_pdf import build_police_pdf
from rhc_app.documents.records import AttemptInfo
from tests.web.test_documents_pdf import FOUND, make_record

#: Fields of the record given values of growing length, so that some fit their line and
#: some wrap by a word or a letter.
FIELDS = ("location", "present", "how_got_home", "helplines_given", "language",
          "outcome_reason")


def _pages(pdf: bytes) -> list[bytes]:
    return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages]


def _without_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_text, "_NOT_ONE_RUN", re.compile(""))  # parse everything
    monkeypatch.setattr(pdf_blocks, "label_frags", lambda *_: None)
    monkeypatch.setattr(pdf_line.LabelParagraph, "_fits", lambda *_: False)


def _records() -> list[Any]:
    records = []
    for word, start in (("ab", 22), ("Mm", 18), ("i", 60)):
        values = {name: " ".join([word] * (start + n)) for n, name in enumerate(FIELDS)}
        records.append(make_record(**values))
        records.append(make_record(**{k: v + "x" * 3 for k, v in values.items()}))
    odd = ["two  spaces", " leading space", "tab\there", "no\xa0break space",
           "thin\u2009space", "zero\u200bwidth", "a <b> & c", "Zoë in Łódź", "محمد علي",
           "🙂 emoji", "line one\nline two", "x" * 2000]
    records.append(make_record(**dict(zip(FIELDS, odd, strict=False)),
                               attempts=[AttemptInfo(FOUND, "phone", v) for v in odd]))
    return records


def test_the_record_prints_the_same_bytes_as_reportlabs_own_layout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fits: list[bool] = []
    real_fits = pdf_line.LabelParagraph._fits
    monkeypatch.setattr(pdf_line.LabelParagraph, "_fits",
                        lambda self, width: fits.append(real_fits(self, width)) or fits[-1])
    records = _records()
    quick = [_pages(build_police_pdf(r)) for r in records]
    assert True in fits and False in fits  # both ways were taken
    _without_shortcuts(monkeypatch)
    for record, pages in zip(records, quick, strict=True):
        assert _pages(build_police_pdf(record)) == pages


_TEXT = st.text(st.sampled_from("ab Zë\t\xa0\u2009\u200b<&;\n"), min_size=0, max_size=20)


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT)
def test_fragments_without_parsing_are_the_parsers(label: str, value: str) -> None:
    style = styles()["body"]
    made = label_frags(label, value, style)
    if made is not None:
        parsed = ParaParser().parse(cleanBlockQuotedText(f"<b>{label}</b> {value}"), style)[1]
        assert [vars(f) for f in made] == [vars(f) for f in parsed]
    if not re.search("[<&]", value):  # markup is parsed, by reportlab's parser or ours
        assert ([vars(f) for f in TextParagraph(value, style).frags]
                == [vars(f) for f in Paragraph(value, style).frags])
