"""The figures' version: one row per organisation, replaced by every write that can change
a figure the reports count (store/figures_version.py), so a figure computed once is reused
only while the row still says the same (services/kept_figures.py). A count of nothing: no
child, no name, no id of a record is kept here."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from rhc_app.store.db import Base


class FiguresVersion(Base):
    __tablename__ = "figures_version"
    organisation_id: Mapped[str] = mapped_column(String(32), ForeignKey("organisation.id"),
                                                 primary_key=True)
    # A random number, not a counter: a version a rolled back transaction or a restored
    # backup once had never comes back meaning other data.
    version: Mapped[int] = mapped_column(BigInteger)
