"""The request's database session on SQLite: a GET reads without taking the write lock, so a
long page never holds up a save; what a GET must write goes through a short write
transaction of its own; any other write through the read session is refused loudly."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rhc_app.security import audit
from rhc_app.store.models import AuditEvent, Organisation
from rhc_app.web.extensions import database, db, writer
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite only: PostgreSQL has no database-wide write lock")


def test_a_get_holding_its_read_open_does_not_block_a_write(app, world):
    with app.test_request_context("/", method="GET"):
        reading = db()
        assert reading.execute(select(func.count()).select_from(Organisation)).scalar_one() == 2
        assert reading.in_transaction()  # its snapshot is open, as during a page's rendering
        with database().factory() as other:  # another worker saving meanwhile
            other.add(Organisation(slug="eastport", name="Eastport"))
            other.commit()  # would wait 30 s, then fail, if the read held the write lock
        # The read keeps its snapshot until it ends; the next request sees the new row.
        assert reading.execute(select(func.count()).select_from(Organisation)).scalar_one() == 2
    with app.test_request_context("/", method="GET"):
        assert db().execute(select(func.count()).select_from(Organisation)).scalar_one() == 3


def test_a_get_writes_its_audit_event_at_once_through_a_writer(app, world):
    with app.test_request_context("/", method="GET"):
        db().execute(select(Organisation.id)).all()
        audit.record(db(), "pdf_produced", record_type="conversation", record_id="c1")
        with database().factory() as other:  # committed: visible to everyone at once
            assert other.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc())
                                 ).scalars().first() == "pdf_produced"
        assert audit.verify(database().factory()).ok


def test_a_get_that_changes_a_record_through_its_read_session_is_refused(app, world):
    with app.test_request_context("/", method="GET"):
        db().add(Organisation(slug="westvale", name="Westvale"))
        with pytest.raises(RuntimeError, match="read-only session"):
            db().flush()
        db().rollback()
    with app.test_request_context("/", method="POST"):  # a post writes through its own
        assert db() is writer()
        db().add(Organisation(slug="westvale", name="Westvale"))
        db().commit()
