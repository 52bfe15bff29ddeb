"""Migration 0007fd (issue 17's fields) runs both ways on a database with records in it: on
SQLite a table copied in batch mode cannot be dropped while episodes point at it, so the
columns are added and dropped in place."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from rhc_app.services.conversation_fields import OfferFields
from rhc_app.services.conversations import record_outcome
from rhc_app.store.models import Child, Conversation
from tests.conftest import make_case, migrate_to, now


def test_the_fields_migration_down_and_up_keeps_the_records(app, world, db):
    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker, name="Wren Testchild").conversation.id)
    record_outcome(db, worker, conv, "declined", now() - timedelta(hours=1),
                   fields=OfferFields(carers_said="Her dad said she was tired"))
    db.commit()
    conv_id = conv.id
    db.close()
    engine = app.extensions["rhc_database"].engine
    try:
        migrate_to(engine, to="0006h3", down=True)
    finally:
        migrate_to(engine, to="head")
    conv = db.get(Conversation, conv_id)
    assert conv.status == "declined" and conv.carers_said is None  # its column went and came back
    assert conv.not_offered is False  # the server default fills the rows already there
    assert db.scalar(select(func.count()).select_from(Child)) == 1
    assert db.get(Child, conv.episode.child_id).name == "Wren Testchild"
