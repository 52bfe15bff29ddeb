"""Extensions bound in the factory, and the request-scoped database session."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from rhc_app.crypto import KeyRing
from rhc_app.store.db import make_engine, make_sessionmaker

login_manager = LoginManager()
csrf = CSRFProtect()


class Database:
    """One engine per app; one session per app context, closed at teardown.

    On SQLite a write transaction takes the database's one write lock at BEGIN (see db.py), so
    a request that held it from its first query to its commit would serialise every worker.
    GET and HEAD requests there read through a session whose transactions take no lock, so
    they run side by side; their few writes (an audit event, the web session's row) go
    through `writer()`, a short write transaction of its own."""

    def __init__(self, app: Flask, url: str, keyring: KeyRing | None) -> None:
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
        app.extensions["rhc_db"] = self.session
        app.extensions["rhc_database"] = self
        app.teardown_appcontext(self._teardown)

    def session(self) -> Session:
        if "rhc_db_session" not in g:
            if self.read_factory is not None and has_request_context() \
                    and request.method in ("GET", "HEAD"):
                g.rhc_db_session = self.read_factory()
                g.rhc_db_session.info["writer"] = self.writer
            else:
                g.rhc_db_session = self.factory()
        return g.rhc_db_session

    def writer(self) -> Session:
        """The session to write through: the request's own, or beside a read-only one."""
        current = self.session()
        if "writer" not in current.info:
            return current
        if "rhc_db_writer" not in g:
            g.rhc_db_writer = self.factory()
        return g.rhc_db_writer

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not None:
            self.read_engine.dispose()

    def _teardown(self, _exc: Any) -> None:
        for name in ("rhc_db_writer", "rhc_db_session"):
            sess = g.pop(name, None)
            if sess is not None:
                sess.close()


def _refuse_write(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a GET request changed a record through its read-only session: "
                           "write through Database.writer()")


def _refuse_write_statement(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError("a GET request wrote through its read-only session: write through "
                           "Database.writer()")


def db() -> Session:
    """The current request's (or command's) database session."""
    return current_app.extensions["rhc_db"]()


def database() -> Database:
    return current_app.extensions["rhc_database"]
