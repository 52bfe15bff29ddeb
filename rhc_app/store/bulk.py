"""Many new rows inserted at once, for an import's tens of thousands.

SQLAlchemy's executemany builds every row's parameters afresh and runs each value through
its type's processing one parameter at a time: on SQLite that was about half an import's
insert time. Here the statement is compiled once per table and each column's processor
looked up once, so a row is one tuple, and SQLite's driver runs the statement for them all.
The values stored are the ones SQLAlchemy would store (the columns' own processors).
PostgreSQL keeps SQLAlchemy's path: it sends the rows as multi-row INSERTs there, which a
plain driver executemany would not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from rhc_app.store.db import UTCDateTime

_Compiled = tuple[str, tuple[tuple[str, "Callable[[Any], Any] | None", bool], ...]]
IMPORT_CACHE_KIB = 64 * 1024
_COMPILED: dict[tuple[str, str], _Compiled] = {}


def insert_rows(s: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (each with a value for every column, as ``db.new_row`` makes them)
    in the session's transaction. Like a Core insert, the session does not see them."""
    if not rows:
        return
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), list(rows))
        return
    sql, processors = _compiled(table, conn.dialect)
    if set(rows[0]) != {k for k, _p, _n in processors}:  # a misspelt key fails, as in Core
        raise ValueError(f"a new {table.name} row does not give exactly the table's columns")
    # A value is kept as it is where its column has no processor, or where it is None and
    # the processor keeps None (a JSON column's does not: it stores 'null', as Core does).
    conn.exec_driver_sql(sql, [
        tuple(v if ((v := row[k]) is None and keeps_none) or p is None else p(v)
              for k, p, keeps_none in processors) for row in rows])


def _compiled(table: Table, dialect: Dialect) -> _Compiled:
    """The INSERT of every column, and its parameters in order: each one's column key, its
    processor, and whether that processor keeps None as None."""
    found = _COMPILED.get((table.name, dialect.name))
    if found is None:
        keys = [c.key for c in table.columns]
        compiled = insert(table).compile(dialect=dialect, column_keys=keys)
        order = tuple(compiled.positiontup or ())
        if sorted(order) != sorted(keys):  # each column bound once, by its own name
            raise ValueError(f"cannot insert {table.name} rows in bulk")
        processors = []
        for key in order:
            column_type = table.columns[key].type
            p = (utc_text if isinstance(column_type, UTCDateTime)
                 else column_type.dialect_impl(dialect).bind_processor(dialect))
            processors.append((key, p, p is None or p(None) is None))
        found = _COMPILED[(table.name, dialect.name)] = (compiled.string, tuple(processors))
    return found


def utc_text(value: datetime | None) -> str | None:
    """A UTCDateTime as SQLite stores it: the same text as the column's own processing (UTC,
    then SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff"), in one call rather than three."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


@contextmanager
def import_cache(s: Session) -> Iterator[None]:
    """A larger SQLite page cache for one import's connection while it runs (64 MiB, not
    2): the rows' random ids and keyed hashes go into every index at random places, and a
    small cache wrote and re-read those pages all through the transaction. Only memory:
    nothing about what is written, or when it is durable, changes. Put back afterwards, as
    the connection returns to the pool."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    # The driver's own connection: a failed flush closes the session's Connection, and
    # putting the cache back must neither fail then nor hide the import's own error.
    raw = conn.connection.dbapi_connection
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size={-IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size={int(before or -2000)}")  # type: ignore[union-attr]
