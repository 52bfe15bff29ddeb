"""The audit log records who did what to which record, never the content; its hash chain
shows any edit or deletion (`rhc audit verify`)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text, update

from rhc_app.security import audit
from rhc_app.store.models import AuditEvent, Child
from tests.conftest import make_case

CHILD_NAME = "Tamsin Auditcheck"
CASE_REF = "AUD-5521-X"


def _events(db):
    db.rollback()
    return db.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()


def _as_text(e: AuditEvent) -> str:
    return "\x1f".join(str(getattr(e, c.key)) for c in AuditEvent.__table__.columns)


def test_events_name_the_action_not_the_content(world, auth, client, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker, "a-wrong-password-typed")  # a failure is logged too
    auth.sign_in(worker)
    r = auth.post("/children/new", {"name": CHILD_NAME, "case_reference": CASE_REF,
                                    "gender": "female", "in_care": "no",
                                    "home_area": "Larkspur Estate"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    auth.post("/children", {"query": CHILD_NAME})  # a search by name
    auth.post("/children", {"query": CASE_REF})
    events = _events(db)
    actions = [e.action for e in events]
    for expected in ("sign_in_failed", "sign_in", "child_added", "child_search"):
        assert expected in actions
    child = db.execute(select(Child)).scalar_one()
    assert child.name == CHILD_NAME  # the record exists and reads back
    added = next(e for e in events if e.action == "child_added")
    assert (added.user_id, added.organisation_id) == (worker.id, worker.organisation_id)
    assert (added.record_type, added.record_id) == ("child", child.id)
    signed_in = next(e for e in events if e.action == "sign_in")
    assert signed_in.user_id == worker.id
    forbidden = [CHILD_NAME, "Tamsin", "Auditcheck", CASE_REF, "Larkspur", worker.email,
                 worker.name, "a-wrong-password-typed"]
    dumped = "\n".join(_as_text(e) for e in events)
    for value in forbidden:
        assert value.casefold() not in dumped.casefold(), value
    # The same through raw SQL, in case a column is not mapped.
    raw = "\n".join(str(row) for row in db.execute(text("SELECT * FROM audit_event")))
    for value in forbidden:
        assert value.casefold() not in raw.casefold(), value


def _verify(runner):
    return runner.invoke(args=["audit", "verify"])


def _some_history(world, db, n=4):
    worker = world.user("north", "worker")
    for _ in range(n):
        make_case(db, worker)  # child_added + episode_added each
    count = db.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert count >= 2 * n
    return count


def test_verify_passes_on_intact_chain(world, db, runner):
    count = _some_history(world, db)
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert f"Audit chain intact: {count} events" in result.output
    assert audit.verify(db).ok


def test_chain_links_each_event_to_the_one_before(world, db):
    _some_history(world, db)
    events = _events(db)
    assert events[0].prev_hash == audit.GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash


def _middle(db) -> AuditEvent:
    events = _events(db)
    return events[len(events) // 2]


def test_verify_fails_after_an_edit(world, db, runner):
    _some_history(world, db)
    target = _middle(db)
    db.execute(update(AuditEvent).where(AuditEvent.seq == target.seq)
               .values(action="nothing_to_see"))
    db.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert f"event {target.seq}" in result.output and "changed" in result.output


def test_verify_fails_after_editing_who(world, db, runner):
    _some_history(world, db)
    target = _middle(db)
    db.execute(update(AuditEvent).where(AuditEvent.seq == target.seq)
               .values(user_id=world.user("north", "worker2").id))
    db.commit()
    assert _verify(runner).exit_code != 0


def test_verify_fails_after_deleting_a_middle_row(world, db, runner):
    _some_history(world, db)
    target = _middle(db)
    db.execute(delete(AuditEvent).where(AuditEvent.seq == target.seq))
    db.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert "does not follow" in result.output
    assert f"event {target.seq + 1}" in result.output


def test_verify_fails_after_deleting_the_first_row(world, db, runner):
    _some_history(world, db)
    first = _events(db)[0]
    db.execute(delete(AuditEvent).where(AuditEvent.seq == first.seq))
    db.commit()
    assert _verify(runner).exit_code != 0


def test_verify_fails_after_recomputing_one_hash(world, db, runner, keyring):
    """Rewriting a row and its own MAC (even with the right key) breaks the link to the next."""
    _some_history(world, db)
    target = _middle(db)
    target.action = "nothing_to_see"
    new_hash = audit._mac(keyring, target.prev_hash, target)
    db.execute(update(AuditEvent).where(AuditEvent.seq == target.seq)
               .values(action="nothing_to_see", hash=new_hash))
    db.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert f"event {target.seq + 1}" in result.output
