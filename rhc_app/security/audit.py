"""The append-only audit log: who did what to which record, when; never the content.

Each row's hash is an HMAC (the key ring's audit key, outside the database) over the previous
row's hash and its own fields, so editing, deleting or reordering rows breaks the chain, and
someone who can write the database but holds no key cannot recompute it (`rhc audit verify`).
Removing the newest rows leaves a shorter valid chain: an anchor (`rhc audit anchor`, kept
outside the database) catches that. `prev_hash` is unique: two processes appending at once
cannot both extend the same row; the loser retries inside a savepoint.

Logs written before the chain was keyed hold plain SHA-256 events. `rhc init` closes such a
prefix with one keyed `audit_chain_keyed` event and records its length in the key ring (outside
the database); verify accepts unkeyed events only within that length, followed by a keyed one,
so unkeyed events written later never pass.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyMissing, KeyRing
from rhc_app.store.db import utcnow
from rhc_app.store.models import AuditEvent

GENESIS = "0" * 64
KEYED = "audit_chain_keyed"  # the keyed event that closes a log's unkeyed (legacy) prefix


def _message(prev: str, e: AuditEvent) -> bytes:
    at = e.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = [prev, at, e.user_id or "", e.organisation_id or "", e.action,
             e.record_type or "", e.record_id or "", e.detail or ""]
    return "\x1f".join(parts).encode("utf-8")


def _digest(prev: str, e: AuditEvent) -> str:
    """The unkeyed hash of events written before the chain was keyed (verify only)."""
    return hashlib.sha256(_message(prev, e)).hexdigest()


def _mac(ring: KeyRing, prev: str, e: AuditEvent) -> str:
    return ring.audit_mac(_message(prev, e))


def _ring(db: Session) -> KeyRing:
    ring = db.info.get("keyring")
    if ring is None:
        raise KeyMissing("the audit log cannot be written or checked without the key ring")
    return ring  # type: ignore[no-any-return]


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
    ring = _ring(db)
    for _attempt in range(20):
        last = db.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
                          ).scalar_one_or_none()
        prev = last or GENESIS
        event = AuditEvent(at=utcnow(), user_id=user_id, organisation_id=org_id, action=action,
                           record_type=record_type, record_id=record_id, detail=detail,
                           prev_hash=prev)
        event.hash = _mac(ring, prev, event)
        try:
            with db.begin_nested():
                db.add(event)
            return event
        except IntegrityError:
            continue
    raise RuntimeError("could not append to the audit log")


@dataclass
class Entry:
    """One event for `record_many`: the same fields as `record`'s."""

    action: str
    user_id: str | None = None
    org_id: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    detail: str | None = None


def record_many(db: Session, entries: list[Entry]) -> list[AuditEvent]:
    """Append several events in one pass, in order, each chained to the one before exactly as
    `record` would chain them: one look-up of the head, one savepoint and (on a read-only
    session) one writer transaction for all, rather than one of each per event (a page that
    opens sixty conversations wrote sixty transactions). A race with another appender loses
    the whole batch's savepoint, and the batch is chained again on the new head."""
    writer = db.info.get("writer")
    if writer is not None:
        session = writer()
        events = record_many(session, entries)
        session.commit()
        return events
    ring = _ring(db)
    size = AuditEvent.__table__.c.detail.type.length
    for _attempt in range(20):
        prev = db.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
                          ).scalar_one_or_none() or GENESIS
        events = []
        for e in entries:
            event = AuditEvent(at=utcnow(), user_id=e.user_id, organisation_id=e.org_id,
                               action=e.action, record_type=e.record_type,
                               record_id=e.record_id,
                               detail=e.detail[:size] if e.detail else e.detail, prev_hash=prev)
            event.hash = prev = _mac(ring, prev, event)
            events.append(event)
        try:
            with db.begin_nested():
                db.add_all(events)
            return events
        except IntegrityError:
            continue
    raise RuntimeError("could not append to the audit log")


@dataclass
class ChainReport:
    ok: bool
    count: int
    problem: str | None = None
    head: str = GENESIS


def _check(ring: KeyRing, prev: str, e: AuditEvent, may_be_unkeyed: bool
           ) -> tuple[str | None, bool]:
    """Why this event does not belong where it is (or None), and whether it is keyed."""
    if e.prev_hash != prev:
        return (f"event {e.seq}: does not follow the event before it (a row was deleted, "
                "inserted or reordered)"), False
    if hmac.compare_digest(_mac(ring, prev, e), e.hash):
        return None, True
    if may_be_unkeyed and hmac.compare_digest(_digest(prev, e), e.hash):
        return None, False  # one of the events from before the chain was keyed
    return (f"event {e.seq}: its contents were changed, or it was written without the audit "
            "key"), False


def verify(db: Session, anchors: dict[int, str] | None = None) -> ChainReport:
    """Walk the chain from the first event. `anchors` maps an event count to the head hash an
    operator recorded at that count (`rhc audit anchor`): the chain must still pass through it.
    Unkeyed events pass only among the first ones the key ring records as older than keying."""
    ring = _ring(db)
    if ring.audit_unkeyed_events is None:
        return ChainReport(False, 0, "the audit chain is not keyed yet: run `rhc init` once "
                           "after upgrading")
    unkeyed = ring.audit_unkeyed_events
    anchors = dict(anchors or {})
    prev, count, keyed_seen = GENESIS, 0, False
    for e in db.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        problem, keyed = _check(ring, prev, e, not keyed_seen and count < unkeyed)
        if problem:
            return ChainReport(False, count, problem, prev)
        keyed_seen = keyed_seen or keyed
        prev = e.hash
        count += 1
        wanted = anchors.pop(count, None)
        if wanted is not None and not hmac.compare_digest(wanted, e.hash):
            return ChainReport(False, count, f"event {e.seq} is not the one anchored as event "
                               f"number {count}: the chain was rewritten", prev)
    if count and not keyed_seen:
        return ChainReport(False, count, f"no event is keyed: the {unkeyed} events from before "
                           "keying must be followed by a keyed one (the log was rewritten)", prev)
    if anchors:
        return ChainReport(False, count, f"the chain has {count} events but an anchor was taken "
                           f"at {max(anchors)}: the newest events were removed", prev)
    return ChainReport(True, count, head=prev)


def close_unkeyed_prefix(db: Session) -> int:
    """How many events at the start of the log are unkeyed (a log from before the chain was
    keyed); if no event is keyed yet, append the keyed one that closes them. `rhc init` records
    the count in the key ring, outside the database; `rhc restore` closes an older backup."""
    ring = _ring(db)
    prev, count = GENESIS, 0
    for e in db.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        if hmac.compare_digest(_mac(ring, prev, e), e.hash):
            return count
        prev, count = e.hash, count + 1
    if count:
        record(db, KEYED, detail=f"closes {count} earlier unkeyed events")
    return count
