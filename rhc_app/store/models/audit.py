"""The records about the app rather than the children: server-side web sessions, the
hash-chained audit log, and the key check value that proves the keys fit the data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rhc_app.store.db import Base, UTCDateTime, sealed, utcnow


class WebSession(Base):
    """Server-side sessions: the cookie holds a random token; the row is keyed by its hash."""

    __tablename__ = "web_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), nullable=True,
                                                index=True)
    user_session_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data: Mapped[str] = mapped_column(Text, default="")  # sealed, see sessions.py
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AuditEvent(Base):
    """Append-only, hash-chained: each row's hash covers the previous row's hash."""

    __tablename__ = "audit_event"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    organisation_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    record_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))


# The managers' notice of account changes reads recent events of a few kinds (migration 0005D).
Index("ix_audit_event_org_action_at", AuditEvent.organisation_id, AuditEvent.action,
      AuditEvent.at)


class KeyCheck(Base):
    """A known value sealed under the key ring: proves at start-up that the keys fit the data."""

    __tablename__ = "key_check"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    value_enc: Mapped[bytes] = mapped_column(LargeBinary)
    value = sealed()
