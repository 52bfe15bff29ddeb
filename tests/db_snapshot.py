"""Every row of every table, to prove that a refused request changed nothing at all (not
only that it wrote no audit event)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from rhc_app.store.models import Base

# A session's own idle clock, refreshed at most once a minute by any request: not a change
# the request made to the records.
VOLATILE = {("web_session", "last_seen_at")}


def database_rows(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    db.rollback()  # end the test session's snapshot: see what the app committed
    db.expire_all()
    out = {}
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
        rows = db.execute(select(*columns)).all()
        out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    db.rollback()
    return out


def assert_unchanged(before: dict[str, list[tuple[Any, ...]]], db: Any, what: Any) -> None:
    after = database_rows(db)
    changed = [(name, set(before[name]) ^ set(after[name])) for name in before
               if before[name] != after[name]]
    assert not changed, (what, changed)
