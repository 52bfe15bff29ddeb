"""The data model. Identifying and free-text values are `sealed` (see db.py); what stays in
plaintext is categorical or a time the reports and lists must query on."""

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
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rhc_app.store.db import Base, IdMixin, UTCDateTime, sealed, utcnow

ROLES = ("worker", "manager", "admin")


class Organisation(IdMixin, Base):
    __tablename__ = "organisation"
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="local_authority")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # small_count_threshold: counts below it are shown as "<N" in what is shared outside.
    # handling_instructions: printed under the marking of the police record ("" gives the
    # documents' default); team_contact: how a child reaches their worker's team.
    DEFAULTS = {"repeat_threshold": 3, "repeat_window_days": 30, "require_signoff": False,
                "extra_risk_factors": {}, "small_count_threshold": 5,
                "handling_instructions": "", "team_contact": ""}

    def setting(self, key: str) -> Any:
        return (self.settings or {}).get(key, self.DEFAULTS[key])


class User(IdMixin, Base):
    __tablename__ = "user_account"
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    email_index: Mapped[str] = mapped_column(String(64), unique=True)
    email_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The last time-step accepted: a code is never accepted twice (RFC 6238, 5.2).
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by sign-out-everywhere, password change and disabling: ends sessions server-side.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An account with a case-record role that an administrator created or reset: its one-time
    # password is in two halves, and the administrator sees only the first. The second waits
    # here (sealed) until a manager approves the account and hands it over (invitations.py).
    invitation_code_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    invited_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Such an account must set up two-step sign-in before it sees anything.
    two_step_required: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())

    email = sealed()
    name = sealed()
    totp_secret = sealed()
    invitation_code = sealed()

    @property
    def awaiting_approval(self) -> bool:
        return self.invitation_code_enc is not None

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.id

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class SignInThrottle(Base):
    """Failed sign-ins per e-mail (by its keyed hash), shared by every app process."""

    __tablename__ = "sign_in_throttle"
    email_index: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ClientThrottle(Base):
    """Failed sign-ins per client address (by its keyed hash, never the address), shared by
    every app process: one client cannot try many accounts."""

    __tablename__ = "client_throttle"
    address_index: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


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

    outcome_reason = sealed()
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
        self.record = json.dumps(value, ensure_ascii=False, sort_keys=True)


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
    base_version: Mapped[int] = mapped_column(Integer)
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload = sealed()

    @property
    def id(self) -> str:  # binds the ciphertext to this (conversation, user) pair
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


SEALED_MODELS: tuple[type[Base], ...] = (User, KeyCheck, Child, Episode, Conversation,
                                         ContactAttempt, Draft, Amendment)
