"""services/allocation.py: a manager allocates a conversation to a worker of the team, or
shares it with one; anyone else is refused, and each change is audited once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rhc_app.services import allocation
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import AuditEvent, Conversation, ConversationShare
from tests.conftest import make_case


def _events(db, action):  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_allocate_moves_the_conversation_and_audits_it(world, db):
    manager, worker2 = world.user("north", "manager"), world.user("north", "worker2")
    conv = db.get(Conversation, make_case(db, world.user("north", "worker")).conversation.id)
    assert allocation.allocate(db, manager, conv, worker2.id) is worker2
    db.commit()
    db.expire_all()
    assert db.get(Conversation, conv.id).worker_id == worker2.id
    event = db.execute(select(AuditEvent).where(
        AuditEvent.action == "conversation_allocated")).scalar_one()
    assert (event.user_id, event.record_id) == (manager.id, conv.id)


@pytest.mark.parametrize("who", ["another organisation's worker", "an administrator",
                                 "a disabled worker", "nobody"])
def test_allocate_refuses_anyone_but_an_active_worker_of_the_team(world, db, who):
    manager = world.user("north", "manager")
    conv = db.get(Conversation, make_case(db, world.user("north", "worker")).conversation.id)
    target = {"another organisation's worker": world.user("south", "worker").id,
              "an administrator": world.user("north", "admin").id,
              "a disabled worker": world.user("north", "worker2").id, "nobody": ""}[who]
    if who == "a disabled worker":
        world.user("north", "worker2").active = False
        db.flush()
    with pytest.raises(CaseworkError, match="Choose a worker from your team"):
        allocation.allocate(db, manager, conv, target)
    with pytest.raises(CaseworkError):
        allocation.share(db, manager, conv, target)
    assert conv.worker_id == world.user("north", "worker").id
    assert _events(db, "conversation_allocated") == _events(db, "conversation_shared") == 0


def test_share_once_and_never_with_the_holder(world, db):
    manager, worker, worker2 = (world.user("north", w) for w in ("manager", "worker", "worker2"))
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    allocation.share(db, manager, conv, worker2.id)
    allocation.share(db, manager, conv, worker2.id)
    allocation.share(db, manager, conv, worker.id)  # already holds it
    db.commit()
    shares = db.execute(select(ConversationShare.user_id)).scalars().all()
    assert shares == [worker2.id]
    assert _events(db, "conversation_shared") == 1


def test_a_manager_is_allocated_but_not_shared(world, db):
    manager = world.user("north", "manager")
    conv = db.get(Conversation, make_case(db, world.user("north", "worker")).conversation.id)
    with pytest.raises(CaseworkError):
        allocation.share(db, manager, conv, manager.id)
    assert allocation.allocate(db, manager, conv, manager.id) is manager
