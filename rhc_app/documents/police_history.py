"""What happened to the police record after it was written: amendments and sign-off.

Printed so that an officer never takes a draft for the final record, and sees every change
since completion (what, when, by whom, why).
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from rhc_app.documents.pdf_blocks import field
from rhc_app.documents.pdf_common import escape_markup
from rhc_app.documents.pdf_text import TextParagraph
from rhc_app.documents.records import ConversationRecord, SignOffInfo
from rhc_app.domain.uk_time import format_datetime
from rhc_app.domain.vocabulary import NOT_RECORDED


def amendments(record: ConversationRecord, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Each change since completion: when, by whom, to what, why (episode changes move the
    72-hour figures above, so what they were before is printed too)."""
    if not record.amendments:
        return [TextParagraph("None", s["empty"])]
    out: list[Flowable] = []
    for a in record.amendments:
        head = f"{format_datetime(a.at)}, {a.by}: {a.subject.lower()}"
        out.append(TextParagraph(f"<b>{escape_markup(head)}</b>", s["bullet"], bulletText="\u2022"))
        out.extend(field("Reason", a.reason, s))
        out.extend(TextParagraph(escape_markup(c), s["bullet"], bulletText="\u2013")
                   for c in a.changes)
    return out


def signoff_status(so: SignOffInfo) -> str:
    """Whether a manager has signed the record off: an officer must not take a draft as final."""
    if so.status == "awaiting_signoff":
        return "Not yet signed off: waiting for a manager's sign-off"
    if so.signed_off_at is not None:
        by = f" by {so.signed_off_by}" if so.signed_off_by.strip() else ""
        return f"Signed off{by} on {format_datetime(so.signed_off_at)}"
    if so.status == "completed":
        return f"Completed on {format_datetime(so.completed_at)}, not signed off by a manager"
    return "Not yet completed or signed off: the record may still change"


def returned(so: SignOffInfo) -> str:
    """The latest return to the worker, with the manager's reason ("" if never returned)."""
    if so.returned_at is None:
        return ""
    by = f" by {so.returned_by}" if so.returned_by.strip() else ""
    return f"{format_datetime(so.returned_at)}{by}. Reason: {so.return_reason or NOT_RECORDED}"
