"""The people and places index (issue 16): one row per thing that identifies a person or a
place in a conversation's canvas (a phone number, a registration, a postcode, a handle, a
name), as a keyed hash only. Rows are matched by equality without anything being opened;
the canvas itself stays the only place the words are kept (sealed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rhc_app.store.db import Base, IdMixin, UTCDateTime


class LinkToken(IdMixin, Base):
    __tablename__ = "link_token"
    __table_args__ = (
        # The connections query: one organisation's tokens, grouped, within a period.
        Index("ix_link_token_org_token", "organisation_id", "token", "mentioned_at"),
        # A period's rows (connections, hotspots): read by date, not the whole index.
        Index("ix_link_token_org_period", "organisation_id", "mentioned_at"),
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"))
    entry_kind: Mapped[str] = mapped_column(String(8))  # person | place
    entry_index: Mapped[int] = mapped_column(Integer)  # its place in the canvas's list
    token_kind: Mapped[str] = mapped_column(String(16))  # domain.identifiers.TOKEN_KINDS
    token: Mapped[str] = mapped_column(String(64))  # KeyRing.index of the folded value
    # The child asked for this person or place not to be shared: matched inside the
    # organisation, left out of anything that leaves it.
    do_not_share: Mapped[bool] = mapped_column(Boolean, default=False)
    mentioned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LinkIndexVersion(Base):
    """One row per organisation, replaced in the same transaction as every write to its
    index (store/links_version.py), so the connections and hotspots counted from the index
    are reused only while the row still says the same (services/kept_links.py)."""

    __tablename__ = "link_index_version"
    organisation_id: Mapped[str] = mapped_column(String(32), ForeignKey("organisation.id"),
                                                 primary_key=True)
    # Random, not a counter: a rolled back or restored version never comes back meaning
    # another index.
    version: Mapped[int] = mapped_column(BigInteger)
