"""The SVG bar chart: valid, self-contained, accessible, and safe under the app's CSP."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhc_app.domain.charts import bar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
QUARTERS = ["Q1", "Q2", "Q3", "Q4"]


def parse(svg: str) -> ET.Element:
    # Our own output, parsed only to prove it is well-formed XML: S314 is about untrusted XML.
    return ET.fromstring(svg)  # noqa: S314


def chart(**kw) -> str:
    args = {
        "title": "Missing episodes by quarter",
        "labels": QUARTERS,
        "series": [("2023/24", [351, 252, 270, 293]), ("2022/23", [354, 478, 345, None])],
    }
    args.update(kw)
    return bar_chart_svg(**args)


def test_valid_accessible_svg():
    svg = chart()
    root = parse(svg)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 600 320"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Missing episodes by quarter"
    assert desc.text is not None
    assert "Q1: 2023/24 351, 2022/23 354" in desc.text
    assert "Q4: 2023/24 293, 2022/23 no data" in desc.text


def test_no_scripts_styles_or_external_references():
    svg = chart()
    lowered = svg.lower()
    for banned in ("<script", "style=", "<style", "href", "url(", "javascript:", "<image",
                   "<foreignobject", "onload", "@import"):
        assert banned not in lowered


def test_bars_values_and_colours():
    root = parse(chart())
    bars = [r for r in root.iter(SVG + "rect") if r.get("height") not in ("12", "320")]
    assert len(bars) == 7  # 8 values, one of them missing
    assert {b.get("fill") for b in bars} == {"#1d70b8", "#505a5f"}
    texts = [t.text for t in root.iter(SVG + "text")]
    for value in ("351", "478", "n/a", "Q1", "Q4", "2023/24", "2022/23"):
        assert value in texts
    tallest = max(bars, key=lambda b: float(b.get("height", 0)))
    assert tallest.get("fill") == "#505a5f"  # 478, last year's Q2


def test_percent_chart_uses_a_0_to_100_axis():
    svg = chart(title="% accepted", series=[("2023/24", [82.9, 75.8, 71.7, 78.5])], percent=True)
    texts = [t.text for t in parse(svg).iter(SVG + "text")]
    assert "82.9%" in texts and "100%" in texts and "0%" in texts


def test_text_is_escaped():
    nasty = '<script>alert("x")</script> & \'quotes\' \x00\x1b'
    svg = chart(title=nasty, labels=["<b>", "Q2", "Q3", "Q4"],
                series=[(nasty, [1, 2, 3, 4])], y_label=nasty)
    root = parse(svg)
    assert "<script" not in svg
    assert root.find(SVG + "title").text == '<script>alert("x")</script> & \'quotes\' '


def test_ids_are_stable_and_can_be_chosen():
    assert chart() == chart()
    assert chart() != chart(title="Another")
    svg = chart(chart_id='episodes" onload="x')
    assert 'id="episodes--onload--x-title"' in svg
    parse(svg)


def test_all_zero_and_empty_series_still_draw():
    parse(chart(series=[("2023/24", [0, 0, 0, 0])]))
    parse(chart(series=[("2023/24", [None, None, None, None])]))
    parse(chart(labels=[], series=[("2023/24", [])]))


@pytest.mark.parametrize(
    "series",
    [
        [],
        [("a", [1, 2, 3, 4])] * 3,
        [("a", [1, 2, 3])],
        [("a", [1, 2, 3, -1])],
        [("a", [1, 2, 3, float("nan")])],
    ],
)
def test_bad_series_are_refused(series):
    with pytest.raises(ValueError):
        chart(series=series)


values = st.none() | st.floats(min_value=0, max_value=1e9, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(max_size=60),
    labels=st.lists(st.text(max_size=12), min_size=1, max_size=8),
    names=st.lists(st.text(max_size=12), min_size=1, max_size=2),
    data=st.data(),
    percent=st.booleans(),
)
def test_any_text_and_values_give_valid_svg(title, labels, names, data, percent):
    series = [(n, data.draw(st.lists(values, min_size=len(labels), max_size=len(labels))))
              for n in names]
    svg = bar_chart_svg(title, labels, series, percent=percent)
    parse(svg)
    assert "<script" not in svg and "style=" not in svg
