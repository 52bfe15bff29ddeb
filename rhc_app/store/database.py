"""One app's database: its engines and session factories, with no Flask in sight.

On SQLite a write transaction takes the database's one write lock at BEGIN (see db.py), so a
request that held it from its first query to its commit would serialise every worker. A
second engine and factory therefore read without taking the lock, and refuse any write made
through them: the web layer gives them to GET and HEAD requests (web/extensions.py), whose few
writes (an audit event, the web session's row) go through a short write transaction of their
own. On PostgreSQL there is one engine."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from rhc_app.crypto import KeyRing
from rhc_app.store.db import make_engine, make_sessionmaker


class Database:
    def __init__(self, url: str, keyring: KeyRing | None) -> None:
        self.url = url
        self.engine = make_engine(url, write_lock_at_begin=True)
        self.keyring = keyring
        self.factory: sessionmaker[Session] = make_sessionmaker(self.engine, keyring)
        self.read_engine = make_engine(url) if url.startswith("sqlite") else None
        self.read_factory = make_sessionmaker(self.read_engine, keyring) if self.read_engine \
            else None
        if self.read_factory is not None:
            event.listen(self.read_factory, "before_flush", _refuse_write)
            event.listen(self.read_factory, "do_orm_execute", _refuse_write_statement)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not None:
            self.read_engine.dispose()


def _refuse_write(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a GET request changed a record through its read-only session: "
                           "write through Database.writer()")


def _refuse_write_statement(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError("a GET request wrote through its read-only session: write through "
                           "Database.writer()")
