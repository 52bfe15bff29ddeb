"""Migration 0006h3 (drafts per browser session) keeps what workers typed, both ways: going
down keeps each worker's newest draft, going up again shows it to their next session."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from rhc_app.services.conversations import record_outcome
from rhc_app.services.drafts import keep_draft, load_draft
from rhc_app.store.models import Conversation, Draft
from tests.conftest import make_case, migrate_to, now


def test_drafts_survive_the_migration_down_and_up(app, world, db):
    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=1))
    keep_draft(db, worker.id, conv, {"areas": {"victims": "Older tablet"}}, 1, "a" * 64)
    db.commit()
    keep_draft(db, worker.id, conv, {"areas": {"victims": "Newest tablet"}}, 1, "b" * 64)
    db.commit()
    conv_id, worker_id = conv.id, worker.id
    db.close()
    engine = app.extensions["rhc_database"].engine
    try:
        migrate_to(engine, to="0005F", down=True)
    finally:
        migrate_to(engine, to="head")  # the schema is shared with the next test on PostgreSQL
    assert db.scalar(select(func.count()).select_from(Draft)) == 1
    mine = load_draft(db, worker_id, conv_id, "c" * 64)  # a new session after the upgrade
    assert mine is not None and mine[0]["areas"]["victims"] == "Newest tablet"
