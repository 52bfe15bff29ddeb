"""Helpers for the security tests: apps started on an existing database, throwaway empty
databases on either engine, session cookies and PostgreSQL command-line tools."""

from __future__ import annotations

import glob
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from rhc_app import StartupError, create_app
from rhc_app.store import database as store_database
from rhc_app.store.db import make_engine
from rhc_app.web.sessions import COOKIE_NAME
from tests.conftest import PG_URL, config_for


@contextmanager
def started(instance: Path, url: str, **extra: Any) -> Iterator[Flask]:
    """A second, independent app on the same instance and database (like another worker)."""
    app = create_app(config_for(instance, url, **extra))
    try:
        yield app
    finally:
        app.extensions["rhc_database"].dispose()


@contextmanager
def disposing_engines() -> Iterator[list[Any]]:
    """Dispose every engine create_app makes inside the block, even when start-up is refused
    (create_app does not dispose its engine when it raises StartupError)."""
    made: list[Any] = []
    real = store_database.make_engine

    def tracking(url: str, **kwargs: Any) -> Any:
        engine = real(url, **kwargs)
        made.append(engine)
        return engine

    with mock.patch.object(store_database, "make_engine", tracking):
        try:
            yield made
        finally:
            for engine in made:
                engine.dispose()


def refusal(instance: Path, url: str, *, require_keys: bool = True, **extra: Any) -> StartupError:
    """The StartupError create_app raises; fails the test if the app started instead."""
    with disposing_engines():
        try:
            create_app(config_for(instance, url, **extra), require_keys=require_keys)
        except StartupError as exc:
            return exc
    raise AssertionError("the app started, but it should have refused")


@contextmanager
def empty_database(instance: Path) -> Iterator[str]:
    """The URL of a database with no tables: a new SQLite file, or a new PostgreSQL database
    on the test server (dropped afterwards)."""
    if not PG_URL:
        yield f"sqlite:///{instance / 'empty.sqlite3'}"
        return
    name = "rhc_empty_" + secrets.token_hex(4)
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as the plain postgresql:// form libpq tools (pg_dump) accept."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_tool(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"{name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


def session_cookie(client: Any) -> str | None:
    cookie = client.get_cookie(COOKIE_NAME)
    return None if cookie is None else cookie.value


def set_session_cookie(client: Any, value: str) -> None:
    client.set_cookie(COOKIE_NAME, value)


def set_cookie_headers(response: Any) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE_NAME + "=")]


def is_sign_in_redirect(response: Any) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
