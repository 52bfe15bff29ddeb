"""Migration 0007ac carries the actions already ticked on records over as open actions owned by
the conversation's worker, with no due date; records signed off or returned before the history
was kept still show that decision."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from rhc_app.domain.uk_time import today_in_london
from rhc_app.services import follow_up, oversight
from rhc_app.store.models import Conversation, FollowUpAction
from tests.conftest import make_case, migrate_to, now


def test_ticked_actions_are_carried_over_as_open_actions(app, world, db):
    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    unallocated = db.get(Conversation, make_case(db, world.user("north", "manager")
                                                 ).conversation.id)
    conv_id, other_id = conv.id, unallocated.id
    db.commit()
    db.close()
    engine = app.extensions["rhc_database"].engine
    try:
        migrate_to(engine, to="0006h3", down=True)
        with engine.begin() as conn:  # as a record saved before this change left them
            conn.execute(text("UPDATE conversation SET actions = :a WHERE id = :i"),
                         {"a": '["nrm", "strategy_meeting", "nrm"]', "i": conv_id})
            conn.execute(text("UPDATE conversation SET actions = :a WHERE id = :i"),
                         {"a": '["retired_code"]', "i": other_id})
    finally:
        migrate_to(engine, to="head")  # the schema is shared with the next test on PostgreSQL
    found = db.execute(select(FollowUpAction).order_by(FollowUpAction.kind)).scalars().all()
    assert [(a.conversation_id, a.kind, a.owner_id, a.status, a.due_on, a.source)
            for a in found] == [
        (conv_id, "nrm", worker.id, "open", None, "record"),
        (other_id, "retired_code", None, "open", None, "record"),
        (conv_id, "strategy_meeting", worker.id, "open", None, "record")]
    # An old code reads as words, not dropped.
    views = follow_up.actions_of(db, db.get(Conversation, other_id), today_in_london())
    assert [v.kind_label for v in views] == ["Retired code"]


def test_a_decision_from_before_the_history_is_still_shown(world, db):
    conv = db.get(Conversation, make_case(db, world.user("north", "worker")).conversation.id)
    manager = world.user("north", "manager")
    conv.returned_at, conv.returned_by = now() - timedelta(days=2), manager.id
    conv.return_reason = "Add the carer's words"
    conv.signed_off_at, conv.signed_off_by = now() - timedelta(days=1), manager.id
    db.commit()
    entries = oversight.history(db, conv)
    assert [(e.decision, e.by, e.comment) for e in entries] == [
        ("returned", "Manager North", "Add the carer's words"),
        ("signed_off", "Manager North", "")]
