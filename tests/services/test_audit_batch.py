"""Several audit events recorded in one call (a page that opens many conversations) chain and
verify exactly as events recorded one by one, and tampering with one of them is caught."""

from __future__ import annotations

from sqlalchemy import select, update

from rhc_app.security import audit
from rhc_app.store.models import AuditEvent
from tests.conftest import make_case


def _events(db):
    db.rollback()
    return db.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()


def _fields(e: AuditEvent) -> tuple:
    return (e.user_id, e.organisation_id, e.action, e.record_type, e.record_id, e.detail)


def _batch_after_history(world, db) -> tuple[list, list[AuditEvent]]:
    worker = world.user("north", "worker")
    convs = [make_case(db, worker).conversation.id for _ in range(3)]
    entries = [audit.Entry("connection_viewed", worker.id, worker.organisation_id,
                           "conversation", cid, "connection abc") for cid in convs]
    audit.record_many(db, entries)
    audit.record(db, "connections_listed", user_id=worker.id, org_id=worker.organisation_id)
    db.commit()
    return entries, _events(db)


def test_entries_recorded_together_chain_like_one_by_one(world, db):
    entries, events = _batch_after_history(world, db)
    assert audit.verify(db).ok
    assert events[0].prev_hash == audit.GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash  # the batch sits in the chain, in order
        assert after.seq > before.seq
    together = [e for e in events if e.action == "connection_viewed"]
    assert [_fields(e) for e in together] == [
        (x.user_id, x.org_id, x.action, x.record_type, x.record_id, x.detail) for x in entries]
    assert events[-1].action == "connections_listed"  # one recorded singly after the batch


def test_long_detail_is_cut_as_record_cuts_it(world, db):
    worker = world.user("north", "worker")
    size = AuditEvent.__table__.c.detail.type.length
    audit.record_many(db, [audit.Entry("x", worker.id, detail="d" * (size + 50))])
    db.commit()
    assert _events(db)[-1].detail == "d" * size


def test_tampering_with_one_entry_of_a_batch_is_caught(world, db, runner):
    _entries, events = _batch_after_history(world, db)
    middle = [e for e in events if e.action == "connection_viewed"][1]
    db.execute(update(AuditEvent).where(AuditEvent.seq == middle.seq)
               .values(record_id="someone-else"))
    db.commit()
    report = audit.verify(db)
    assert not report.ok and f"event {middle.seq}" in (report.problem or "")
    assert runner.invoke(args=["audit", "verify"]).exit_code != 0
