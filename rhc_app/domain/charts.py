"""Server-rendered bar charts as self-contained, accessible SVG.

Why SVG built by hand: the report pages must work without JavaScript, under a
Content-Security-Policy that forbids inline scripts and styles, and print cleanly. So the
chart uses presentation attributes (``fill=``, ``font-size=``) and never ``style=``, refers to
nothing outside itself, and escapes every piece of text it is given.

Accessibility: ``role="img"`` with ``aria-labelledby`` pointing at its ``<title>`` and
``<desc>``; the description spells out every value, so a screen-reader user gets the same
information as a sighted one. Pages should still show the figures as a table too.
Colours are GOV.UK blue (#1d70b8) and dark grey (#505a5f): each has a contrast ratio above
4.5:1 on white and they differ in lightness, so the two series stay apart in greyscale.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 600, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 64, 40
COLOURS = ("#1d70b8", "#505a5f")
TEXT, GRID, AXIS = "#0b0c0c", "#b1b4b6", "#0b0c0c"
FONT = "arial, sans-serif"
# Characters XML 1.0 does not allow at all: dropped so any input still gives a valid document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

Series = tuple[str, Sequence[float | None]]


def _esc(text: object) -> str:
    return escape(_NOT_XML.sub("", str(text)), quote=True)


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _scale(vmax: float, percent: bool) -> tuple[float, float]:
    """(axis maximum, tick step): 0–100 for percentages, else a 1-2-5 step with ~5 ticks."""
    if percent and vmax <= 100:
        return 100.0, 20.0
    if vmax <= 5:  # also avoids log10 of a denormal (vmax / 5 underflows to 0)
        return 5.0, 1.0
    raw = vmax / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)  # counts: no fractional ticks
    return math.ceil(vmax / step) * step, step


def _check(labels: Sequence[str], series: Sequence[Series]) -> list[list[float | None]]:
    if not 1 <= len(series) <= len(COLOURS):
        raise ValueError(f"a chart shows 1 or {len(COLOURS)} series, not {len(series)}")
    checked = []
    for name, values in series:
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
        row: list[float | None] = []
        for v in values:
            if v is not None and not 0 <= v <= 1e12:  # also refuses NaN and infinity
                raise ValueError(f"series {name!r}: values must be between 0 and 10^12")
            row.append(None if v is None else float(v))
        checked.append(row)
    return checked


def _description(
    labels: Sequence[str], names: Sequence[str], data: Sequence[list[float | None]], percent: bool
) -> str:
    parts = []
    for i, label in enumerate(labels):
        values = [
            f"{name} {'no data' if row[i] is None else _number(row[i] or 0.0, percent)}"
            for name, row in zip(names, data, strict=True)
        ]
        parts.append(f"{label}: {', '.join(values)}")
    kind = "Percentages" if percent else "Bar chart"
    return f"{kind} by period. " + "; ".join(parts) + "."


class _Axis:
    """The value axis: maps a value to its height on the plot."""

    def __init__(self, top_value: float, percent: bool) -> None:
        self.vmax, self.step = _scale(top_value, percent)
        self.percent = percent
        self.plot_h = HEIGHT - TOP - BOTTOM
        self.base = TOP + self.plot_h

    def y(self, value: float) -> float:
        return self.base - self.plot_h * value / self.vmax


def _legend(series: Sequence[Series]) -> list[str]:
    out, legend_x = [], LEFT
    for i, (name, _values) in enumerate(series):
        out.append(f'<rect x="{legend_x}" y="34" width="12" height="12" fill="{COLOURS[i]}"/>')
        out.append(f'<text x="{legend_x + 18}" y="45">{_esc(name)}</text>')
        legend_x += 18 + 8 * len(str(name)) + 24
    return out


def _grid(axis: _Axis, y_label: str) -> list[str]:
    out = []
    for t in range(int(round(axis.vmax / axis.step)) + 1):
        value = t * axis.step
        ty = axis.y(value)
        out.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="12">'
            f"{value:,.0f}{'%' if axis.percent else ''}</text>"
        )
    if y_label:
        out.append(
            f'<text x="14" y="{TOP + axis.plot_h / 2:.1f}" text-anchor="middle" font-size="12" '
            f'transform="rotate(-90 14 {TOP + axis.plot_h / 2:.1f})">{_esc(y_label)}</text>'
        )
    return out


def _bar(axis: _Axis, x: float, bar_w: float, value: float | None, colour: str) -> list[str]:
    """One bar and its value above it, or "n/a" where there is no data."""
    base = axis.base
    if value is None:
        return [f'<text x="{x + bar_w / 2:.1f}" y="{base - 4}" text-anchor="middle" '
                f'font-size="11">n/a</text>']
    top_y = axis.y(value)
    return [
        f'<rect x="{x + 1:.1f}" y="{top_y:.1f}" width="{bar_w - 2:.1f}" '
        f'height="{base - top_y:.1f}" fill="{colour}"/>',
        f'<text x="{x + bar_w / 2:.1f}" y="{top_y - 4:.1f}" text-anchor="middle" '
        f'font-size="11">{_esc(_number(value, axis.percent))}</text>',
    ]


def _bars(axis: _Axis, labels: Sequence[str], data: Sequence[list[float | None]]) -> list[str]:
    out = []
    group_w = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar_w = min(48.0, group_w * 0.7 / len(data))
    for g, label in enumerate(labels):
        centre = LEFT + group_w * (g + 0.5)
        first = centre - bar_w * len(data) / 2
        for s, row in enumerate(data):
            out.extend(_bar(axis, first + s * bar_w, bar_w, row[g], COLOURS[s]))
        out.append(
            f'<text x="{centre:.1f}" y="{axis.base + 20}" text-anchor="middle">{_esc(label)}</text>'
        )
    return out


def bar_chart_svg(
    title: str,
    labels: list[str],
    series: list[Series],
    *,
    percent: bool = False,
    y_label: str = "",
    chart_id: str | None = None,
) -> str:
    """A grouped bar chart (one group per label, one bar per series) as an SVG string.

    ``series`` is up to two (name, values) pairs, e.g. this year and last year per quarter;
    a value of None draws no bar and is read out as "no data". ``chart_id`` makes the ids of
    the title and description unique when a page shows several charts; by default it is
    derived from the content, so the same chart always renders the same bytes.
    """
    data = _check(labels, series)
    if chart_id is None:
        digest = hashlib.sha256(repr((title, labels, data)).encode()).hexdigest()[:10]
        chart_id = f"chart-{digest}"
    cid = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
    axis = _Axis(max((v for row in data for v in row if v is not None), default=0.0), percent)
    desc = _description(labels, [name for name, _values in series], data, percent)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" class="rhc-chart" '
        f'font-family="{FONT}" font-size="13" fill="{TEXT}">',
        f'<title id="{cid}-title">{_esc(title)}</title>',
        f'<desc id="{cid}-desc">{_esc(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="22" font-size="16" font-weight="bold">{_esc(title)}</text>',
        *_legend(series),
        *_grid(axis, y_label),
        *_bars(axis, labels, data),
        f'<line x1="{LEFT}" y1="{axis.base}" x2="{WIDTH - RIGHT}" y2="{axis.base}" '
        f'stroke="{AXIS}" stroke-width="1"/>',
        "</svg>",
    ]
    return "\n".join(out)
