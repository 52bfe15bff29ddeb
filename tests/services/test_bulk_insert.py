"""store.bulk: new rows inserted in bulk are stored exactly as a Core insert stores them
(every column's value as the database holds it, and the sealed fields open), on both
engines; and the import's larger SQLite cache is put back afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from rhc_app.store import bulk
from rhc_app.store.db import UTCDateTime, new_id, new_row
from rhc_app.store.models import Child, Conversation, Episode, Organisation

TIMES = [datetime(2024, 3, 31, 0, 59, 59, 999999, tzinfo=UTC),  # the spring change
         datetime(2024, 10, 27, 1, 30, tzinfo=timezone(timedelta(hours=1))),  # BST, autumn
         datetime(1900, 1, 1, tzinfo=UTC), datetime(2026, 12, 2, 16, 0, 0, 5, tzinfo=UTC),
         datetime(2024, 6, 1, 23, 15, tzinfo=timezone(timedelta(hours=-5)))]


def _rows(db: Any, org_id: str, ref: str = "BULK-1") -> dict[type, list[dict[str, Any]]]:
    ring = db.info["keyring"]
    child = new_row(Child, {"id": new_id(), "organisation_id": org_id, "name": "Kit Sampleton",
                            "case_reference": ref,
                            "case_reference_index": ring.index("child_ref", ref), "date_of_birth": "2010-01-02",
                            "gender": "female", "ethnicity": "Indian", "in_care": True,
                            "name_index": ring.index("child_name", "Kit Sampleton")}, ring)
    episodes, convs = [], []
    for i, at in enumerate(TIMES):
        episodes.append(new_row(Episode, {
            "id": new_id(), "organisation_id": org_id, "child_id": child["id"],
            "episode_ref": f"B{i}", "reported_missing_at": at,
            "found_at": None if i % 2 else at + timedelta(hours=3), "police_risk": None,
            "in_care": bool(i % 2)}, ring))
        convs.append(new_row(Conversation, {
            "id": new_id(), "organisation_id": org_id, "episode_id": episodes[-1]["id"],
            "offered_at": at if i % 2 else None, "outcome": "declined" if i % 2 else None,
            "risk_factors": ["drug_misuse", "gangs"][:i % 3], "status": "to_offer",
            "actions": None if i == 3 else [], "holder_independent": [None, True, False][i % 3],
            "record": '{"details": {}}'}, ring))
    return {Child: [child], Episode: episodes, Conversation: convs}


def _stored(db: Any, model: type, ids: list[str]) -> list[tuple[Any, ...]]:
    """The rows as the database holds them, without their ids and sealed columns (whose
    ciphertext is bound to the id), in the order given."""
    table = model.__table__  # type: ignore[attr-defined]
    sealed = {c.name for c in table.columns if c.name.endswith("_enc")}
    names = [c.name for c in table.columns if c.name != "id" and c.name not in sealed]
    # What differs between the copies by design: their references to each other and the
    # child's keyed hash (unique in the organisation).
    refs = {c.name for c in table.columns if c.foreign_keys} - {"organisation_id"}
    refs.add("case_reference_index")
    got = {}
    for row in db.connection().execute(text(
            f"SELECT id, {', '.join(names)} FROM {table.name}")).all():  # noqa: S608
        got[row[0]] = tuple(v for n, v in zip(names, row[1:], strict=True) if n not in refs)
    return [got[i] for i in ids]


def _copy(rows: list[dict[str, Any]], ids: dict[str, str]) -> list[dict[str, Any]]:
    """The same rows under new ids (and their references to each other under those)."""
    return [{k: ids.get(v, v) if isinstance(v, str) else v for k, v in r.items()} for r in rows]


def test_bulk_rows_are_stored_as_a_core_insert_stores_them(world, db):
    org = db.get(Organisation, world.orgs["north"].org.id)
    rows = _rows(db, org.id)
    ids = {r["id"]: new_id() for values in rows.values() for r in values}
    ids[rows[Child][0]["case_reference_index"]] = "another child's keyed hash"
    for model, values in rows.items():
        db.execute(insert(model.__table__), values)  # type: ignore[attr-defined]
    for model, values in rows.items():
        bulk.insert_rows(db, model.__table__, _copy(values, ids))  # type: ignore[attr-defined]
    for model, values in rows.items():
        core = _stored(db, model, [r["id"] for r in values])
        assert _stored(db, model, [ids[r["id"]] for r in values]) == core
    db.expire_all()
    # Sealed by new_row and bound to their own ids: they open (Core's copy is sealed the same way).
    for row in _rows(db, org.id, "BULK-2")[Child]:
        bulk.insert_rows(db, Child.__table__, [row])
        assert db.get(Child, row["id"]).name == "Kit Sampleton"


def test_a_row_must_give_exactly_the_tables_columns(world, db):
    org = db.get(Organisation, world.orgs["north"].org.id)
    child = _rows(db, org.id)[Child][0]
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL takes SQLAlchemy's own path, which checks the keys itself")
    with pytest.raises(ValueError, match="exactly the table's columns"):
        bulk.insert_rows(db, Child.__table__, [{**child, "nmae": "x"}])


def test_utc_text_is_the_columns_own_sqlite_text():
    dialect = sqlite.dialect()
    own = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert own is not None
    for at in [*TIMES, None, datetime(2024, 1, 1, tzinfo=UTC) + timedelta(microseconds=1)]:
        assert bulk.utc_text(at) == own(at)
    with pytest.raises(ValueError, match="naive"):
        bulk.utc_text(datetime(2024, 1, 1))  # noqa: DTZ001 - the refusal under test


def test_the_import_cache_is_put_back(world, db):
    conn = db.connection()
    if conn.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    with bulk.import_cache(db):
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -bulk.IMPORT_CACHE_KIB
    assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
    assert db.execute(select(Organisation.id)).first() is not None


def test_a_failed_import_keeps_its_own_error_and_puts_the_cache_back(world, db):
    conn = db.connection()
    if conn.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    org = db.get(Organisation, world.orgs["north"].org.id)
    child = _rows(db, org.id)[Child][0]
    with pytest.raises(IntegrityError), bulk.import_cache(db):
        bulk.insert_rows(db, Child.__table__, [child, child])  # the same id twice
    db.rollback()
    assert db.connection().exec_driver_sql("PRAGMA cache_size").scalar() == before


def test_a_failed_flush_keeps_its_own_error_and_puts_the_cache_back(world, db):
    conn = db.connection()
    if conn.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    raw = conn.connection.dbapi_connection
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    org = db.get(Organisation, world.orgs["north"].org.id)
    with pytest.raises(IntegrityError), bulk.import_cache(db):
        db.add(Child(organisation_id=org.id, name="Kit Sampleton"))  # no case reference
        db.flush()
    db.rollback()
    assert raw.execute("PRAGMA cache_size").fetchone()[0] == before
