"""Finding 13 of the attack issue: a query value written verbatim into the audit detail.

A 300-character ``format`` answered 500 on PostgreSQL (the detail column holds 200). An
unknown format is now refused before anything is audited, and ``audit.record`` cuts any
detail to the column's size."""

from __future__ import annotations

from sqlalchemy import func, select

from rhc_app.security import audit
from rhc_app.store.models import AuditEvent
from tests.reliability_plugin import attack_refused

LONG = "x" * 300


def _count(db) -> int:
    db.rollback()
    return db.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def test_unknown_format_is_refused_and_not_audited(world, auth, client, db):
    auth.sign_in(world.user("north", "manager"))
    for url, finding in (
            (f"/reports/quarterly?year=2024&format={LONG}", "quarterly format"),
            (f"/reports/risk-factors?format={LONG}", "risk-factors format"),
            ("/reports/quarterly?year=2024&format=csv&cohort=" + LONG, "quarterly cohort"),
            ("/reports/quarterly?format=xlsx", "quarterly short unknown format")):
        before = _count(db)
        r = client.get(url)
        assert r.status_code == 400, (url, r.status_code)
        assert _count(db) == before, url  # refused before the audit event was written
        attack_refused(f"finding 13: {finding} of 300 characters or unknown")


def test_known_formats_are_still_audited(world, auth, client, db):
    auth.sign_in(world.user("north", "manager"))
    for url, detail in (("/reports/quarterly?year=2024", "2024 page"),
                        ("/reports/quarterly?year=2024&format=", "2024 page"),
                        ("/reports/quarterly?year=2024&format=csv&cohort=in-care",
                         "2024 csv in-care"),
                        ("/reports/risk-factors?from=2024-04-01&to=2025-03-31&format=csv",
                         "2024-04-01 to 2025-03-31 csv")):
        assert client.get(url).status_code == 200, url
        db.rollback()
        last = db.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
        assert last.detail == detail


def test_a_long_detail_is_cut_to_the_column_and_the_chain_holds(world, db):
    size = AuditEvent.__table__.c.detail.type.length
    event = audit.record(db, "test_long_detail", detail="é" + LONG * 2)
    db.commit()  # PostgreSQL refused a value longer than the column before the fix
    db.rollback()
    stored = db.get(AuditEvent, event.seq)
    assert stored.detail == ("é" + LONG * 2)[:size]
    assert audit.verify(db).ok
    attack_refused("finding 13: a 601-character audit detail")
