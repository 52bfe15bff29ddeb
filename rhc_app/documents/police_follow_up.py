"""What the police record says of what followed the conversation: each action or referral with
its owner, due date, status and outcome, and the management oversight (every sign-off and
return, with the manager's words). Called from police_pdf.py."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from rhc_app.documents.pdf_blocks import field
from rhc_app.documents.pdf_common import escape_markup
from rhc_app.documents.pdf_text import TextParagraph
from rhc_app.documents.records import ConversationRecord, FollowUpInfo
from rhc_app.domain.uk_time import format_date, format_datetime


def _headline(a: FollowUpInfo) -> str:
    parts = [a.status]
    if a.owner:
        parts.append(f"owner {a.owner}")
    parts.append(f"due {format_date(a.due_on)}" if a.due_on else "no due date")
    return f"{a.label}: {', '.join(parts)}"


def follow_up(record: ConversationRecord, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Each action as a bullet (what, status, owner, due), then its details and outcome."""
    out: list[Flowable] = []
    for a in record.follow_up:
        out.append(TextParagraph(f"<b>{escape_markup(_headline(a))}</b>", s["bullet"],
                                 bulletText="\u2022"))
        if a.detail:
            out.extend(field("Details", a.detail, s))
        if a.outcome:
            out.extend(field("Outcome", a.outcome, s))
    return out


def oversight(record: ConversationRecord, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    if not record.oversight:
        return [TextParagraph("None", s["empty"])]
    out: list[Flowable] = []
    for e in record.oversight:
        head = f"{format_datetime(e.at)}" + (f", {e.by}" if e.by.strip() else "")
        out.append(TextParagraph(f"<b>{escape_markup(e.decision)}</b>: {escape_markup(head)}",
                                 s["bullet"], bulletText="\u2022"))
        if e.comment:
            out.extend(field("Comment", e.comment, s))
    return out
