"""Children, their missing episodes, and the conversations about them: contact attempts,
shares, drafts and amendments."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rhc_app.store.db import Base, IdMixin, UTCDateTime, sealed, utcnow
from rhc_app.store.models.people import User


class Child(IdMixin, Base):
    __tablename__ = "child"
    __table_args__ = (UniqueConstraint("organisation_id", "case_reference_index"),)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    date_of_birth_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    gender: Mapped[str] = mapped_column(String(16), default="not_recorded")
    ethnicity_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    case_reference_enc: Mapped[bytes] = mapped_column(LargeBinary)
    case_reference_index: Mapped[str] = mapped_column(String(64))
    in_care: Mapped[bool] = mapped_column(Boolean, default=False)
    home_area_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # A child placed out of area: the council that placed them and the one they live in.
    # Councils' names, not personal, and plain so the figures can be filtered by them.
    placing_authority: Mapped[str | None] = mapped_column(String(100), nullable=True)
    host_area: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)

    name = sealed()
    date_of_birth = sealed()  # ISO date text
    ethnicity = sealed()
    case_reference = sealed()
    home_area = sealed()

    episodes: Mapped[list[Episode]] = relationship(back_populates="child",
                                                   order_by="Episode.reported_missing_at")


class Episode(IdMixin, Base):
    __tablename__ = "episode"
    __table_args__ = (
        UniqueConstraint("organisation_id", "episode_ref_index"),
        # Covers the quarterly figures' query (migration 0003).
        Index("ix_episode_org_reported_cover", "organisation_id", "reported_missing_at",
              "child_id", "in_care", "found_at", "id"),
        # The repeat flag's window before an episode, one child at a time (migration 0010lists).
        Index("ix_episode_child_reported", "child_id", "reported_missing_at"),
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"), index=True)
    episode_ref_index: Mapped[str | None] = mapped_column(String(64), nullable=True)
    episode_ref_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    reported_missing_at: Mapped[datetime] = mapped_column(UTCDateTime)
    found_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    found_where_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    missing_from: Mapped[str] = mapped_column(String(16), default="home")  # home | care
    in_care: Mapped[bool] = mapped_column(Boolean, default=False)
    police_risk: Mapped[str | None] = mapped_column(String(16), nullable=True)
    police_reference_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    episode_ref = sealed()
    found_where = sealed()
    police_reference = sealed()

    child: Mapped[Child] = relationship(back_populates="episodes")
    conversation: Mapped[Conversation | None] = relationship(back_populates="episode",
                                                             uselist=False)


class Conversation(IdMixin, Base):
    """One per episode. The canvas (areas, people, places, details) is one sealed JSON
    document, saved with an optimistic version so concurrent edits are caught, never lost."""

    __tablename__ = "conversation"
    __table_args__ = (
        Index("ix_conversation_org_status", "organisation_id", "status"),
        # From the benchmark (migration 0004): lists and the quarterly join read the index.
        Index("ix_conversation_episode_cover", "episode_id", "offered_at", "outcome", "held_at"),
        Index("ix_conversation_org_status_worker", "organisation_id", "status", "worker_id", "id"),
        # The lists' live work (migration 0008ls): recent outcomes without the years before.
        Index("ix_conversation_org_status_outcome", "organisation_id", "status", "outcome_at"),
        # One worker's live work, "My conversations" (migration 0010lists).
        Index("ix_conversation_org_worker_status_outcome", "organisation_id", "worker_id",
              "status", "outcome_at"),
        # Continuity: a child's held conversations without reading their rows (0010lists).
        Index("ix_conversation_episode_held", "episode_id", "held_at", "worker_id", "id"),
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), unique=True)
    worker_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), nullable=True,
                                                  index=True)
    status: Mapped[str] = mapped_column(String(24), default="to_offer")
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consent_to_share: Mapped[str | None] = mapped_column(String(8), nullable=True)
    risk_factors: Mapped[list[str]] = mapped_column(JSON, default=list)
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    record_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    child_summary_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    summary_read_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_off_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The latest return to the worker from sign-off, and what the manager asked to change.
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    returned_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    return_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # Issue 17. What the parents or carers said when the child declined or could not be
    # reached; a decision not to offer at all (who took it: the reason is outcome_reason);
    # why it came late (a code of the organisation's list; a note for "other" is in the
    # canvas); and who held it: their role and whether they are independent of the child's care.
    carers_said_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    not_offered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    not_offered_by_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    late_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    holder_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    holder_independent: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    outcome_reason = sealed()
    carers_said = sealed()
    not_offered_by = sealed()
    record = sealed()  # JSON text; use .canvas
    child_summary = sealed()
    return_reason = sealed()

    episode: Mapped[Episode] = relationship(back_populates="conversation")
    worker: Mapped[User | None] = relationship()
    attempts: Mapped[list[ContactAttempt]] = relationship(order_by="ContactAttempt.at",
                                                          cascade="all, delete-orphan")
    shares: Mapped[list[ConversationShare]] = relationship(cascade="all, delete-orphan")

    @property
    def canvas(self) -> dict[str, Any]:
        return json.loads(self.record) if self.record else {}

    @canvas.setter
    def canvas(self, value: dict[str, Any]) -> None:
        self.record = self.record_text(value)

    @staticmethod
    def record_text(canvas: dict[str, Any]) -> str:
        """The canvas as its sealed record holds it (also for rows inserted without a model)."""
        return json.dumps(canvas, ensure_ascii=False, sort_keys=True)


class ConversationShare(Base):
    __tablename__ = "conversation_share"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), primary_key=True)


class ContactAttempt(IdMixin, Base):
    __tablename__ = "contact_attempt"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(24))
    result_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    by_user_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    result = sealed()


class Draft(Base):
    """Unsaved canvas text kept on the server: autosaves, and what was typed when a session
    expired, restored after signing in again."""

    __tablename__ = "draft"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    # Which browser session kept it (its web_session row's key, the token's SHA-256): two
    # tablets of one worker keep a draft each. "" for drafts kept before sessions were told apart.
    session_key: Mapped[str] = mapped_column(String(64), primary_key=True, default="",
                                             server_default="")
    base_version: Mapped[int] = mapped_column(Integer)
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload = sealed()

    @property
    def id(self) -> str:  # binds the ciphertext to this (conversation, user) pair; the
        # session is left out so drafts kept before it was a key still open
        return f"{self.conversation_id}:{self.user_id}"

    @id.setter
    def id(self, _value: str) -> None:
        raise AttributeError("a draft's id is its conversation and user")


class Amendment(IdMixin, Base):
    """A change to a completed conversation: who, when, why, and the record before and after.

    `kind` is "record" (the canvas; `before` is its JSON) or "episode" (the missing episode
    behind it, whose times change the 72-hour figures; `before` is the episode's fields and
    `changes` the list of [what, before, after] as the trail and the PDF show them)."""

    __tablename__ = "amendment"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="record", server_default="record")
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    before_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    changes_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    reason = sealed()
    before = sealed()
    changes = sealed()  # JSON text
