"""Management oversight: every sign-off and return of a record, with the manager's words.

The conversation's own columns hold only the latest of each (and records signed off or
returned before this history was kept have nothing else): those are shown when the history
has no entry for them, so old records still read as they did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.domain.vocabulary import SIGN_OFF_DECISIONS
from rhc_app.store.models import Conversation, SignOffEntry, User


def record_decision(s: Session, manager: User, conv: Conversation, decision: str,
                    comment: str, at: datetime) -> SignOffEntry:
    """Keep one decision (the caller audits it with the sign-off itself)."""
    assert decision in SIGN_OFF_DECISIONS
    entry = SignOffEntry(conversation_id=conv.id, at=at, by_user_id=manager.id,
                         decision=decision)
    s.add(entry)
    entry.comment = comment.strip() or None
    s.flush()
    return entry


@dataclass(frozen=True)
class OversightEntry:
    at: datetime
    by: str
    decision: str  # a code of SIGN_OFF_DECISIONS
    comment: str

    @property
    def label(self) -> str:
        return SIGN_OFF_DECISIONS[self.decision]


def history(s: Session, conv: Conversation) -> list[OversightEntry]:
    """Oldest first."""
    kept = s.execute(select(SignOffEntry).where(SignOffEntry.conversation_id == conv.id)
                     .order_by(SignOffEntry.at)).scalars().all()
    names = {u.id: u.name or "" for u in s.execute(select(User).where(
        User.id.in_({e.by_user_id for e in kept} | {conv.signed_off_by, conv.returned_by})
    )).scalars()}
    out = [OversightEntry(e.at, names.get(e.by_user_id, ""), e.decision, e.comment or "")
           for e in kept]
    decisions = {e.decision for e in kept}
    if conv.signed_off_at and "signed_off" not in decisions:
        out.append(OversightEntry(conv.signed_off_at, names.get(conv.signed_off_by or "", ""),
                                  "signed_off", ""))
    if conv.returned_at and "returned" not in decisions:
        out.append(OversightEntry(conv.returned_at, names.get(conv.returned_by or "", ""),
                                  "returned", conv.return_reason or ""))
    return sorted(out, key=lambda e: e.at)
