"""Closing a declined or not completed conversation with no further offer, and which
conversations are closed, so the team page's "offer again" list holds only live work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from rhc_app.domain import vocabulary
from rhc_app.security import audit
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import Conversation, OfferClosure, User

CLOSABLE = ("declined", "not_completed")
NOTE_MAX = 2000


def close_offer(s: Session, manager: User, conv: Conversation, reason: str, note: str,
                now: datetime) -> OfferClosure:
    """Close the offer, audited in the caller's transaction. Refused (nothing changed) unless
    the conversation is declined or not completed and not closed already, the reason is one
    of the list, and "other" says why."""
    if conv.status not in CLOSABLE:
        raise CaseworkError("Only a declined or not completed conversation can be closed",
                            field="reason")
    if conv.closure is not None:  # type: ignore[attr-defined]
        raise CaseworkError("This conversation is already closed", field="reason")
    if reason not in vocabulary.CLOSE_REASONS:
        raise CaseworkError("Select why no further offer will be made", field="reason")
    note = (note or "").strip()
    if reason == "other" and not note:
        raise CaseworkError("Enter why no further offer will be made", field="note")
    if len(note) > NOTE_MAX:
        raise CaseworkError(f"The reason must be {NOTE_MAX} characters or fewer", field="note")
    closure = OfferClosure(conversation_id=conv.id, organisation_id=conv.organisation_id,
                           reason=reason, note=note or None, closed_at=now,
                           closed_by=manager.id, closed_from=conv.status)
    s.add(closure)
    s.flush()
    audit.record(s, "offer_closed", user_id=manager.id, org_id=manager.organisation_id,
                 record_type="conversation", record_id=conv.id, detail=reason)
    return closure

