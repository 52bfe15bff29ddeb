"""SQLite backups: the online backup API copies a consistent snapshot while the app runs, and
puts a checked backup back in one write transaction."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from rhc_app.crypto import KeyRing
from rhc_app.services.backup.checks import (
    PG_MAGIC,
    SQLITE_MAGIC,
    BackupError,
    Checked,
    Refused,
    check_database,
    create_exclusive,
    file_head,
    finish_restore,
    remove,
)
from rhc_app.store.db import make_engine


def _live_file(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("only a SQLite database in a file can be backed up")
    return Path(name)


def _open_read_only(path: Path) -> sqlite3.Connection:
    # immutable: SQLite takes no locks and writes nothing (no -wal or -shm) beside the backup.
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)


def _read_only_engine(path: Path) -> Engine:
    return create_engine("sqlite://", creator=lambda: _open_read_only(path), poolclass=NullPool)


def _page_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())


def backup(engine: Engine, path: Path) -> None:
    os.close(create_exclusive(path))
    with contextlib.closing(sqlite3.connect(path)) as dest:
        raw = engine.raw_connection()
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
        finally:
            raw.close()
        # One self-contained file: no -wal beside it, whatever the live database uses.
        dest.execute("PRAGMA journal_mode=DELETE")
        ok = dest.execute("PRAGMA quick_check").fetchone()
    if not ok or ok[0] != "ok":
        raise BackupError("the copy failed its integrity check")


def check(path: Path, ring: KeyRing) -> Checked:
    """Is `path` an intact SQLite backup that `ring` opens? Read in place, read-only."""
    head = file_head(path)
    if head.startswith(PG_MAGIC):
        raise Refused(f"{path} is a PostgreSQL backup, but the database here is SQLite.")
    if head != SQLITE_MAGIC:
        raise Refused(f"{path} is not an rhc_app backup (not a SQLite database).")
    try:
        with contextlib.closing(_open_read_only(path)) as conn:
            ok = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise Refused(f"{path} cannot be read as a SQLite database ({exc}).") from None
    if not ok or ok[0] != "ok":
        raise Refused(f"{path} is damaged (SQLite integrity check: {ok[0] if ok else '?'}).")
    engine = _read_only_engine(path)
    try:
        return check_database(engine, ring, every_value=True)
    except DBAPIError as exc:
        raise Refused(f"{path} does not hold rhc_app data as expected "
                      f"({type(exc.orig).__name__}).") from None
    finally:
        engine.dispose()


def _stage(engine: Engine, path: Path, staged: Path) -> None:
    """Copy the backup to `staged` with the live database's page size."""
    with contextlib.closing(_open_read_only(path)) as src, \
            contextlib.closing(sqlite3.connect(staged)) as dest:
        src.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
        live_page = _page_size(engine)
        if dest.execute("PRAGMA page_size").fetchone()[0] != live_page:
            # The backup API cannot change the page size of a database in WAL mode.
            dest.execute(f"PRAGMA page_size={int(live_page)}")
            dest.execute("VACUUM")


def restore(engine: Engine, path: Path, ring: KeyRing, digest: str) -> None:
    live = _live_file(engine)
    # Prepared beside the live file (same file system, same permissions), then copied in.
    staged = live.with_name(f".{live.name}.restore-{secrets.token_hex(4)}")
    os.close(create_exclusive(staged))
    try:
        _stage(engine, path, staged)
        staged_engine = make_engine(f"sqlite:///{staged}", poolclass=NullPool)
        try:
            finish_restore(staged_engine, ring, digest)
        finally:
            staged_engine.dispose()
        # One write transaction on the live database: readers see the old or the new, and
        # other processes (gunicorn workers) may keep it open throughout.
        with contextlib.closing(sqlite3.connect(staged)) as src:
            raw = engine.raw_connection()
            try:
                src.backup(raw.driver_connection)  # type: ignore[arg-type]
            finally:
                raw.close()
        engine.dispose()
    finally:
        remove(staged, Path(f"{staged}-wal"), Path(f"{staged}-shm"), Path(f"{staged}-journal"))
