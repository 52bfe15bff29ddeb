"""Organisations and the people who use the app: their accounts and the sign-in throttles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rhc_app.store.db import Base, IdMixin, UTCDateTime, sealed, utcnow

# An exploitation lead sees connections between children's conversations (issue 16), and
# no case record unless a manager shares it.
ROLES = ("worker", "manager", "admin", "exploitation_lead")


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
                "handling_instructions": "", "team_contact": "",
                # Strategy meetings and the still-missing list (domain/strategy.py).
                "decision_working_days": 5, "in_care_meeting_day": 3,
                "senior_manager_hours": 72,
                # Days a declined or not completed conversation stays on the lists to offer
                # again (services/listing.py); older ones are on the child's page.
                "offer_again_days": 14}

    def setting(self, key: str) -> Any:
        return (self.settings or {}).get(key, self.DEFAULTS[key])


class User(IdMixin, Base):
    __tablename__ = "user_account"
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    email_index: Mapped[str] = mapped_column(String(64), unique=True)
    email_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    # 32 since 0008ln ("exploitation_lead" is 17). SQLite keeps the 16 it was created with:
    # it enforces no VARCHAR length, and rebuilding the table would break its foreign keys.
    role: Mapped[str] = mapped_column(String(32).with_variant(String(16), "sqlite"))
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
