"""A version per organisation, replaced in the same transaction as the writes it stands for:
what the figures (store/figures_version.py) and the people and places index
(store/links_version.py) each keep, so an answer counted once is reused only while the
version it was counted at is still the one in the database.

A writer marks the organisations it changed (:meth:`OrgVersion.mark`); the version is
replaced once, as the transaction commits, so the row is locked (on PostgreSQL) only for the
commit and a long write does not hold every other writer of the organisation waiting.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from rhc_app.store.models.people import Organisation


def new_version() -> int:
    return secrets.randbits(62)


class OrgVersion:
    """The version rows of `model` (organisation_id, version), marked under `pending` in the
    session's info until the transaction commits."""

    def __init__(self, model: Any, pending: str) -> None:
        self.table = model.__table__
        self.pending = pending
        self._column = model.version
        self._org = model.organisation_id
        event.listen(Session, "before_commit", self._bump_at_commit)
        event.listen(Session, "after_rollback", self._forget_marks)
        event.listen(Session, "after_flush", self._first_version)

    def read(self, s: Session, org_id: str) -> int | None:
        """The organisation's version as this transaction sees it (None: no row yet)."""
        return s.execute(select(self._column).where(self._org == org_id)).scalar_one_or_none()

    def mark(self, s: Session, org_ids: Iterable[str]) -> None:
        """These organisations change with this transaction (replaced at its commit)."""
        s.info.setdefault(self.pending, set()).update(org_ids)

    def changed_here(self, s: Session, org_id: str) -> bool:
        """True while this transaction holds changes not committed: what it counts now is
        nobody else's answer (and may yet be rolled back)."""
        return org_id in s.info.get(self.pending, ())

    def bump(self, s: Session, org_ids: Iterable[str]) -> None:
        """Replace the version of these organisations, in the session's transaction."""
        conn = s.connection()
        for org_id in sorted(set(org_ids)):  # one order: two writers never deadlock on rows
            done = conn.execute(update(self.table).where(self.table.c.organisation_id == org_id)
                                .values(version=new_version())).rowcount
            if not done:
                conn.execute(insert(self.table)
                             .values(organisation_id=org_id, version=new_version()))

    def _bump_at_commit(self, session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint released (every audit event has one): not the commit yet
        session.flush()  # what is still to flush may be a change too
        orgs = session.info.pop(self.pending, None)
        if orgs:
            self.bump(session, orgs)

    def _forget_marks(self, session: Session) -> None:
        session.info.pop(self.pending, None)

    def _first_version(self, session: Session, _ctx: Any) -> None:
        """A new organisation's row, once the organisation itself is in."""
        for obj in session.new:
            if isinstance(obj, Organisation):
                session.connection().execute(insert(self.table).values(
                    organisation_id=obj.id, version=new_version()))
