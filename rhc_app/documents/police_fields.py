"""Issue 17's lines in the police record, each printed under the section it belongs to (the
builder in police_pdf.py calls one function per section)."""

from __future__ import annotations

from typing import Any

from rhc_app.documents.records import ConversationRecord, yes_no


def child_lines(st: Any, r: ConversationRecord) -> None:
    """Under "Child": for a child placed out of area, both councils."""
    f = r.fields
    if f.placing_authority or f.host_area:
        st.field("Placing authority", f.placing_authority)
        st.field("Host area", f.host_area)


def offer_lines(st: Any, r: ConversationRecord) -> None:
    """Under "The conversation": a decision not to offer, the carers' words, a late reason."""
    f = r.fields
    if f.not_offered:
        st.field("Decision not to offer", f"Taken by {f.not_offered_by or 'not recorded'}")
    if f.carers_said or r.outcome in ("declined", "not_completed"):
        st.field("What the parents or carers said", f.carers_said)
    if f.late_reason:
        st.field("Why it came after 72 hours", f.late_reason)


def holder_lines(st: Any, r: ConversationRecord) -> None:
    """Under "Conversation held by": their role and whether they are independent."""
    st.field("Role of the person who held it", r.fields.holder_role)
    st.field("Independent of the child's care", yes_no(r.fields.holder_independent))
