"""The people and places index's version of each organisation, replaced in the same
transaction as every write to its index (services/kept_links.py reuses the connections and
hotspots counted from the index only while the version they were counted at is still the one
in the database).

The services write the index with Core statements (services/links.py), which no listener
sees: the service that writes calls :func:`mark`. Rows added or removed as objects (the
benchmark's seed) are seen in `before_flush`. The version is replaced once, as the
transaction commits, so the row is locked (on PostgreSQL) only for the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from rhc_app.store.models.links import LinkIndexVersion, LinkToken
from rhc_app.store.models.people import Organisation

PENDING = "link_index_changed"  # session.info: organisations whose index this transaction wrote


def read(s: Session, org_id: str) -> int | None:
    """The organisation's index version as this transaction sees it (None: no row yet)."""
    return s.execute(select(LinkIndexVersion.version)
                     .where(LinkIndexVersion.organisation_id == org_id)).scalar_one_or_none()


def mark(s: Session, org_ids: Iterable[str]) -> None:
    """These organisations' index changes with this transaction (replaced at its commit)."""
    s.info.setdefault(PENDING, set()).update(org_ids)


def changed_here(s: Session, org_id: str) -> bool:
    """True while this transaction holds index writes not committed: what it counts now is
    nobody else's answer."""
    return org_id in s.info.get(PENDING, ())


def bump(s: Session, org_ids: Iterable[str]) -> None:
    """Replace the index version of these organisations, in the session's transaction."""
    conn = s.connection()
    for org_id in sorted(set(org_ids)):  # one order: two writers never deadlock on the rows
        done = conn.execute(update(LinkIndexVersion.__table__)
                            .where(LinkIndexVersion.organisation_id == org_id)
                            .values(version=secrets.randbits(62))).rowcount
        if not done:
            conn.execute(insert(LinkIndexVersion.__table__)
                         .values(organisation_id=org_id, version=secrets.randbits(62)))


@event.listens_for(Session, "before_flush")
def _rows_as_objects(session: Session, _ctx: Any, _instances: Any) -> None:
    orgs = {obj.organisation_id for group in (session.new, session.dirty, session.deleted)
            for obj in group if isinstance(obj, LinkToken)}
    if orgs:
        mark(session, orgs)


@event.listens_for(Session, "before_commit")
def _bump_at_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: not the commit yet
    session.flush()  # rows still to flush may be index rows
    orgs = session.info.pop(PENDING, None)
    if orgs:
        bump(session, orgs)


@event.listens_for(Session, "after_rollback")
def _forget_marks(session: Session) -> None:
    session.info.pop(PENDING, None)


@event.listens_for(Session, "after_flush")
def _first_version(session: Session, _ctx: Any) -> None:
    """A new organisation's row, once the organisation itself is in."""
    for obj in session.new:
        if isinstance(obj, Organisation):
            session.connection().execute(insert(LinkIndexVersion.__table__).values(
                organisation_id=obj.id, version=secrets.randbits(62)))
