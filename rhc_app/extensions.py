"""Extensions bound in the factory, and the request-scoped database session."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session, sessionmaker

from .crypto import KeyRing
from .db import make_engine, make_sessionmaker

login_manager = LoginManager()
csrf = CSRFProtect()


class Database:
    """One engine per app; one session per app context, closed at teardown."""

    def __init__(self, app: Flask, url: str, keyring: KeyRing | None) -> None:
        self.url = url
        self.engine = make_engine(url, write_lock_at_begin=True)
        self.keyring = keyring
        self.factory: sessionmaker[Session] = make_sessionmaker(self.engine, keyring)
        app.extensions["rhc_db"] = self.session
        app.extensions["rhc_database"] = self
        app.teardown_appcontext(self._teardown)

    def session(self) -> Session:
        if "rhc_db_session" not in g:
            g.rhc_db_session = self.factory()
        return g.rhc_db_session

    def _teardown(self, _exc: Any) -> None:
        sess = g.pop("rhc_db_session", None)
        if sess is not None:
            sess.close()


def db() -> Session:
    """The current request's (or command's) database session."""
    return current_app.extensions["rhc_db"]()


def database() -> Database:
    return current_app.extensions["rhc_database"]
