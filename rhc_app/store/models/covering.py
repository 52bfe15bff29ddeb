"""Episodes a conversation covers besides its own (issue 17): a child missing again before
the conversation about the last time was held is seen once about both.

Each episode keeps its own conversation row (status "covered" while attached), so every list
and figure still has one row per episode; a row here links it to the conversation that
answers it. A detached link is kept, with who detached it and why, and what the episode's
own conversation was before, so detaching puts it back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rhc_app.store.db import Base, IdMixin, UTCDateTime, sealed, utcnow
from rhc_app.store.models.cases import Conversation, Episode


class CoveredEpisode(IdMixin, Base):
    __tablename__ = "covered_episode"
    __table_args__ = (Index("ix_covered_episode_covering", "covering_conversation_id",
                            "detached_at"),
                      Index("ix_covered_episode_covered", "covered_conversation_id",
                            "detached_at"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    covering_conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"))
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"))
    # The episode's own conversation, marked covered while this link is live.
    covered_conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attached_by: Mapped[str] = mapped_column(String(32))
    detached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    detached_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detach_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # Where the own conversation stood when attached (to offer, or offered at this time).
    status_before: Mapped[str] = mapped_column(String(24))
    offered_at_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    detach_reason = sealed()

    covering: Mapped[Conversation] = relationship(foreign_keys=[covering_conversation_id])
    covered: Mapped[Conversation] = relationship(foreign_keys=[covered_conversation_id])
    episode: Mapped[Episode] = relationship()
