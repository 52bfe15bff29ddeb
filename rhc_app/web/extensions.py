"""Extensions bound in the factory, and the request-scoped database session."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from rhc_app.store.database import Database

login_manager = LoginManager()
csrf = CSRFProtect()


def init_database(app: Flask, database: Database) -> None:
    """One session per app context, closed at teardown. GET and HEAD requests on SQLite read
    through the lock-free factory (store/database.py); their writes go through `writer()`."""
    app.extensions["rhc_db"] = session
    app.extensions["rhc_database"] = database
    app.teardown_appcontext(_teardown)


def session() -> Session:
    base = database()
    if "rhc_db_session" not in g:
        if base.read_factory is not None and has_request_context() \
                and request.method in ("GET", "HEAD"):
            g.rhc_db_session = base.read_factory()
            g.rhc_db_session.info["writer"] = writer
        else:
            g.rhc_db_session = base.factory()
    return g.rhc_db_session


def writer() -> Session:
    """The session to write through: the request's own, or beside a read-only one."""
    current = session()
    if "writer" not in current.info:
        return current
    if "rhc_db_writer" not in g:
        g.rhc_db_writer = database().factory()
    return g.rhc_db_writer


def _teardown(_exc: Any) -> None:
    for name in ("rhc_db_writer", "rhc_db_session"):
        sess = g.pop(name, None)
        if sess is not None:
            sess.close()


def db() -> Session:
    """The current request's (or command's) database session."""
    return current_app.extensions["rhc_db"]()


def database() -> Database:
    return current_app.extensions["rhc_database"]
