"""The child's strategy meeting decisions, as the police record prints them (issue 13): an
officer sees whether a meeting about a child who goes missing often was held, is booked, or
was judged not needed, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from rhc_app.documents.pdf_blocks import field
from rhc_app.documents.pdf_common import escape_markup
from rhc_app.documents.pdf_text import TextParagraph
from rhc_app.domain.uk_time import format_date, format_datetime
from rhc_app.domain.vocabulary import STRATEGY_DECISIONS, label_of

SECTION_TITLE = "Strategy meeting decisions"


@dataclass(frozen=True)
class DecisionInfo:
    kind: str  # a code of vocabulary.STRATEGY_DECISIONS
    recorded_at: datetime
    recorded_by: str = ""
    meeting_on: date | None = None
    chair: str = ""
    reason: str = ""
    prompt: str = ""  # a code of vocabulary.STRATEGY_PROMPTS, or ""


def headline(d: DecisionInfo) -> str:
    """E.g. "Strategy meeting booked for 9 Nov 2026"."""
    label = label_of(STRATEGY_DECISIONS, d.kind)
    if d.kind == "held" and d.meeting_on:
        return f"{label} on {format_date(d.meeting_on)}"
    if d.kind == "booked" and d.meeting_on:
        return f"{label} for {format_date(d.meeting_on)}"
    return label


def decisions(items: Sequence[DecisionInfo], s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Newest first: what was decided, who recorded it and when, who chaired, why not."""
    if not items:
        return [TextParagraph("None recorded", s["empty"])]
    out: list[Flowable] = []
    for d in items:
        out.append(TextParagraph(f"<b>{escape_markup(headline(d))}</b>", s["bullet"],
                                 bulletText="\u2022"))
        by = f", {d.recorded_by}" if d.recorded_by.strip() else ""
        out.extend(field("Recorded", f"{format_datetime(d.recorded_at)}{by}", s))
        if d.kind == "held":
            out.extend(field("Chaired by", d.chair, s))
        if d.kind == "not_needed":
            out.extend(field("Reason", d.reason, s))
    return out
