"""Offers closed with no further offer: a declined or not completed conversation a manager
has decided not to offer again, with the reason (a code; "other" with a sealed note), so the
"offer again" list holds only live work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from rhc_app.store.db import Base, IdMixin, UTCDateTime, sealed, utcnow
from rhc_app.store.models.cases import Conversation


class OfferClosure(IdMixin, Base):
    __tablename__ = "offer_closure"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), unique=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # a code of vocabulary.CLOSE_REASONS
    note_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by: Mapped[str] = mapped_column(String(32))
    # The status closed from (declined or not completed), shown with the reason.
    closed_from: Mapped[str] = mapped_column(String(24))

    note = sealed()

    # A backref, so the conversation's own module need not change: conversation.closure.
    conversation: Mapped[Conversation] = relationship(
        backref=backref("closure", uselist=False, cascade="all, delete-orphan"))
