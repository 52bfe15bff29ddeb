"""The append-only audit log: who did what to which record, when; never the content.

Each row's hash covers the previous row's hash and its own fields, so editing, deleting or
reordering rows breaks the chain (`rhc audit verify`). `prev_hash` is unique: two processes
appending at once cannot both extend the same row; the loser retries inside a savepoint.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import utcnow
from .models import AuditEvent

GENESIS = "0" * 64


def _digest(prev: str, e: AuditEvent) -> str:
    at = e.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = [prev, at, e.user_id or "", e.organisation_id or "", e.action,
             e.record_type or "", e.record_id or "", e.detail or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def record(db: Session, action: str, *, user_id: str | None = None, org_id: str | None = None,
           record_type: str | None = None, record_id: str | None = None,
           detail: str | None = None) -> AuditEvent:
    """Append one event in the caller's transaction (the change and its audit commit together).

    A read-only session (a GET request on SQLite) names a writer instead: the event is
    appended and committed there at once, in a short transaction of its own."""
    # Cut to the column's size: PostgreSQL refuses a longer value (a 500), SQLite keeps it.
    detail = detail[:AuditEvent.__table__.c.detail.type.length] if detail else detail
    writer = db.info.get("writer")
    if writer is not None:
        session = writer()
        event = record(session, action, user_id=user_id, org_id=org_id, record_type=record_type,
                       record_id=record_id, detail=detail)
        session.commit()
        return event
    for _attempt in range(20):
        last = db.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
                          ).scalar_one_or_none()
        prev = last or GENESIS
        event = AuditEvent(at=utcnow(), user_id=user_id, organisation_id=org_id, action=action,
                           record_type=record_type, record_id=record_id, detail=detail,
                           prev_hash=prev)
        event.hash = _digest(prev, event)
        try:
            with db.begin_nested():
                db.add(event)
            return event
        except IntegrityError:
            continue
    raise RuntimeError("could not append to the audit log")


@dataclass
class ChainReport:
    ok: bool
    count: int
    problem: str | None = None


def verify(db: Session) -> ChainReport:
    prev = GENESIS
    count = 0
    for e in db.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        if e.prev_hash != prev:
            return ChainReport(False, count, f"event {e.seq}: does not follow the event before "
                               "it (a row was deleted, inserted or reordered)")
        if _digest(prev, e) != e.hash:
            return ChainReport(False, count, f"event {e.seq}: its contents were changed")
        prev = e.hash
        count += 1
    return ChainReport(True, count)
