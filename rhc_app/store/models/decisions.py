"""Strategy meeting decisions about a child who goes missing often (or is missing from care),
and the record that a senior manager was told of a child missing a long time (issue 13).

Who chaired, why a meeting is not needed and who was told are people's words: sealed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from rhc_app.store.db import Base, IdMixin, UTCDateTime, sealed, utcnow


class StrategyDecision(IdMixin, Base):
    __tablename__ = "strategy_decision"
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"), index=True)
    # The episode whose trigger it answered (None: recorded when nothing was due).
    episode_id: Mapped[str | None] = mapped_column(ForeignKey("episode.id"), nullable=True)
    prompt: Mapped[str | None] = mapped_column(String(24), nullable=True)  # STRATEGY_PROMPTS
    kind: Mapped[str] = mapped_column(String(16))  # vocabulary.STRATEGY_DECISIONS
    meeting_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    chair_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(32))

    chair = sealed()
    reason = sealed()


class SeniorManagerNotice(IdMixin, Base):
    __tablename__ = "senior_manager_notice"
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    told_name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    told_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(32))

    told_name = sealed()
