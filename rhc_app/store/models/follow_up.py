"""What follows a conversation: its actions and referrals (each with an owner, a due date, a
status and an outcome), and the history of its manager sign-off (every sign-off and return)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from rhc_app.store.db import Base, IdMixin, UTCDateTime, sealed, utcnow


class FollowUpAction(IdMixin, Base):
    """One action or referral agreed for a conversation. ``kind`` is a code (the shared list
    in vocabulary.ACTIONS or the organisation's own); what was done or why not is sealed."""

    __tablename__ = "follow_up_action"
    __table_args__ = (
        # "My actions" and the team's overdue list: open ones by owner, by due date.
        Index("ix_follow_up_action_org_status_due", "organisation_id", "status", "due_on"),
        Index("ix_follow_up_action_owner_status", "owner_id", "status"),
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    # "record": ticked on the record (kept in step with its ticks while untouched);
    # "added": added as an action of its own.
    source: Mapped[str] = mapped_column(String(16), default="added")
    detail_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    outcome_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    detail = sealed()  # what the action is, in the worker's words
    outcome = sealed()  # what came of it, or why it was not done


class SignOffEntry(IdMixin, Base):
    """One decision on a record waiting for sign-off: signed off (with an optional comment) or
    returned to the worker (with the reason)."""

    __tablename__ = "sign_off_entry"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))  # signed_off | returned
    comment_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    comment = sealed()
