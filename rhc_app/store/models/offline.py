"""The tablet's offline queue, seen from the server: each organisation's key pair (the tablet
seals to the public half; the private half is sealed here under the key ring, so `rhc keys
rotate` re-seals it) and the receipts of the queued items already taken in, so an item sent
twice is taken in once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from rhc_app.crypto import new_offline_keypair
from rhc_app.store.db import Base, UTCDateTime, new_id, sealed, utcnow
from rhc_app.store.models.people import Organisation


class OfflineKey(Base):
    """One per organisation; its id is the organisation's (the sealed key is bound to it)."""

    __tablename__ = "offline_key"
    id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # SPKI: public, so plain
    private_key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    private_key = sealed()
    # Only so the flush that creates an organisation inserts it before its key.
    organisation: Mapped[Organisation] = relationship()

    @classmethod
    def generate(cls, organisation: Organisation) -> OfflineKey:
        private, public = new_offline_keypair()
        key = cls(id=organisation.id, public_key=public, organisation=organisation)
        key.private_key = private
        return key


class OfflineReceipt(Base):
    """A queued item the server has taken in (saved, or kept as a draft after a conflict)."""

    __tablename__ = "offline_receipt"
    item_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # chosen by the tablet
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))  # "saved" or "kept"
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(Session, "before_flush")
def _key_for_new_organisations(session: Session, _ctx: Any, _instances: Any) -> None:
    """Every organisation gets its key pair in the flush that creates it, however it is made
    (`rhc orgs create`, `rhc init`, tests): its tablets can queue from their first page."""
    if "keyring" not in session.info:
        return
    for obj in list(session.new):
        if isinstance(obj, Organisation):
            obj.id = obj.id or new_id()
            session.add(OfflineKey.generate(obj))
