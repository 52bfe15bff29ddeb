"""The actions service on its own (the forms offer only allowed choices, so these rules are
checked here too): who may own an action, which codes, and that each change is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from rhc_app.domain.uk_time import today_in_london
from rhc_app.services.conversations import sign_off
from rhc_app.services.errors import CaseworkError
from rhc_app.services.follow_up import ActionChange, add_action, update_action
from rhc_app.services.oversight import history
from rhc_app.store.models import AuditEvent, Conversation, FollowUpAction
from tests.conftest import make_case


def _conv(db, world) -> Conversation:  # type: ignore[no-untyped-def]
    return db.get(Conversation, make_case(db, world.user("north", "worker")).conversation.id)


def test_an_owner_who_cannot_open_the_conversation_is_refused(world, db):
    conv = _conv(db, world)
    worker = world.user("north", "worker")
    for outsider in (world.user("north", "worker2"), world.user("south", "manager"),
                     world.user("north", "admin")):
        with pytest.raises(CaseworkError) as err:
            add_action(db, worker, conv, ActionChange("health", outsider.id, None),
                       today_in_london())
        assert err.value.field == "owner_id"
    assert db.execute(select(FollowUpAction)).first() is None


def test_an_unknown_kind_is_refused_but_an_old_one_is_kept(world, db):
    conv = _conv(db, world)
    worker = world.user("north", "worker")
    with pytest.raises(CaseworkError) as err:
        add_action(db, worker, conv, ActionChange("made_up", worker.id, None), today_in_london())
    assert err.value.field == "kind"
    old = FollowUpAction(organisation_id=conv.organisation_id, conversation_id=conv.id,
                         kind="retired_code", owner_id=worker.id)
    db.add(old)
    db.flush()
    update_action(db, worker, conv, old, ActionChange("retired_code", worker.id, None, "done"),
                  today_in_london())
    assert old.status == "done" and old.closed_at is not None


def test_reopening_clears_the_closing_time_and_every_change_is_audited(world, db):
    conv = _conv(db, world)
    worker = world.user("north", "worker")
    action = add_action(db, worker, conv, ActionChange(
        "cawn", worker.id, today_in_london() + timedelta(days=1), "not_done", "Not needed"),
        today_in_london())
    assert action.closed_at is not None
    update_action(db, worker, conv, action, ActionChange("cawn", worker.id, action.due_on),
                  today_in_london())
    assert action.status == "open" and action.closed_at is None and action.outcome is None
    events = db.execute(select(AuditEvent.action, AuditEvent.detail).where(
        AuditEvent.record_id == conv.id)).all()
    assert [e for e, _d in events if e.startswith("action_")] == ["action_added",
                                                                  "action_updated"]
    assert all("Not needed" not in (d or "") for _e, d in events)  # no words in the log


def test_a_manager_who_held_the_record_still_cannot_sign_it_off(world, db):
    manager = world.user("north", "manager")
    conv = db.get(Conversation, make_case(db, manager).conversation.id)
    conv.worker_id, conv.status = manager.id, "awaiting_signoff"
    with pytest.raises(CaseworkError):
        sign_off(db, manager, conv, approve=True, reason="Looks right to me")
    assert history(db, conv) == []
    sign_off(db, manager, conv, approve=False, reason="Another manager should check this")
    assert [(e.decision, e.comment) for e in history(db, conv)] == [
        ("returned", "Another manager should check this")]


def test_the_team_page_s_first_overdue_are_the_whole_list_s_first(world, db):
    """The team page reads only the few it shows (limit) and a count: the same as the whole
    list's first few and its length, most overdue first, ties in the same order."""
    from rhc_app.services.follow_up import count_team_overdue, team_overdue

    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    today = today_in_london()
    for days in (3, 1, 9, 3, 5, 0, -2, 7, 3, 12, 2, 4, 6, 1):  # 0 and -2: not overdue
        conv = _conv(db, world)
        action = add_action(db, worker, conv, ActionChange("health", worker.id, None), today)
        db.get(FollowUpAction, action.id).due_on = today - timedelta(days=days)
    db.commit()
    whole = team_overdue(db, manager, today)
    first = team_overdue(db, manager, today, limit=10)
    assert [a.action.id for a in first] == [a.action.id for a in whole[:10]]
    assert count_team_overdue(db, manager, today) == len(whole) == 12
    assert [a.action.due_on for a in whole] == sorted(a.action.due_on for a in whole)
    ties = [a.action for a in whole]
    assert ties == sorted(ties, key=lambda a: (a.due_on, a.created_at, a.id))
    second = team_overdue(db, manager, today, limit=10, offset=10)  # the overdue page's page 2
    assert [a.action.id for a in second] == [a.action.id for a in whole[10:]]
