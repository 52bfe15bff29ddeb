"""Server-side sessions kept in the database, so every gunicorn worker (and every machine on
one PostgreSQL) sees the same sessions, and signing out really ends a session: a replayed
cookie finds no row. The cookie holds only a random token; the row is keyed by its SHA-256.

Before sign-in there is nothing worth a row: an anonymous visitor's CSRF token and flash
messages ride in a cookie signed with the app's secret (as Flask's own sessions do), so a
flood of cookie-less requests stores nothing. Expired rows are purged a few at a time
whenever a row is created (at sign-in), and in bulk by `rhc sessions purge`."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from werkzeug.datastructures import CallbackDict

from rhc_app.crypto import CryptoError
from rhc_app.security import sessions as store
from rhc_app.store.db import utcnow
from rhc_app.store.models import User, WebSession
from rhc_app.web.extensions import writer as request_writer

COOKIE_NAME = "rhc_session"
# What an anonymous session may keep in its signed cookie: nothing personal. Anything else
# (or a signed-in user) gets a server-side row.
COOKIE_KEYS = frozenset({"csrf_token", "_flashes"})
# A server-side token is token_urlsafe(32); a signed anonymous cookie is longer and has dots.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}", re.ASCII)
_SIGNED = re.compile(r"[A-Za-z0-9_.-]{20,4000}", re.ASCII)
PURGE_ON_SIGN_IN = 100  # expired rows removed each time a row is created: bounded work


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def draft_key(session: SessionMixin) -> str:
    """Which browser session a draft belongs to: its row's key (the token's hash, never the
    token). After the session expired, the key of the row it had, so the rescued text is kept
    apart from the same worker's other tablets."""
    token = getattr(session, "token", None)
    if token:
        return _hash(token)
    return getattr(session, "expired_token_hash", None) or ""


def _seal(app: Flask, token_hash: str, data: dict[str, Any]) -> str:
    """Session data (flash messages, a pending TOTP secret…) can hold personal values, so it
    is sealed like every other field, bound to its session row."""
    ring = app.extensions["rhc_database"].keyring
    blob = ring.seal(json.dumps(data), f"web_session.data.{token_hash}")
    return "v1:" + base64.b64encode(blob).decode("ascii")


def _open(app: Flask, row: WebSession) -> dict[str, Any]:
    ring = app.extensions["rhc_database"].keyring
    if not row.data or not row.data.startswith("v1:"):
        return {}
    try:
        text = ring.open(base64.b64decode(row.data[3:]), f"web_session.data.{row.token_hash}")
    except (CryptoError, ValueError):
        return {}  # unreadable (e.g. keys rotated): treated as signed out
    return json.loads(text)


class ServerSession(CallbackDict, SessionMixin):  # type: ignore[type-arg]
    def __init__(self, initial: dict[str, Any] | None = None, token: str | None = None,
                 row_created: bool = False) -> None:
        def on_update(s: ServerSession) -> None:
            s.modified = True

        super().__init__(initial, on_update)
        self.token = token
        self.modified = False
        self.row_created = row_created
        self.regenerate = False
        self.ended = False  # why the previous session ended: "idle" | "absolute" | None
        self.expired_user_id: str | None = None
        self.sessionless = False  # see SESSIONLESS_PATHS


def _signer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key or "", salt="rhc-anonymous-session")


def _cookie_only(session: ServerSession) -> bool:
    return session.token is None and set(session) <= COOKIE_KEYS


def expired_before(app: Flask, now: datetime) -> tuple[datetime, datetime]:
    return store.expired_before(now, app.config["SESSION_IDLE_MINUTES"],
                                app.config["SESSION_ABSOLUTE_HOURS"])


def purge_expired(db: Session, app: Flask, limit: int | None = None) -> int:
    """Delete expired rows (at most `limit`); the caller commits. Returns how many."""
    return store.purge_expired(db, utcnow(), app.config["SESSION_IDLE_MINUTES"],
                               app.config["SESSION_ABSOLUTE_HOURS"], limit)


# Fetched by the service worker on its own schedule (its update checks, the offline page it
# keeps): they must not end an expired session (the first request after expiry carries its
# rescue, see drafts), nor touch the cookie, and the offline page is the same for everyone.
SESSIONLESS_PATHS = ("/sw.js", "/offline")


class DatabaseSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        if request.path in SESSIONLESS_PATHS:
            session = ServerSession()
            session.sessionless = True
            return session
        token = request.cookies.get(COOKIE_NAME)
        if not token:
            return ServerSession()
        if "." in token:
            return self._open_signed(app, token)
        if not _TOKEN.fullmatch(token):
            return ServerSession()  # not one of ours (non-ASCII, too long…): no session
        db = app.extensions["rhc_db"]()
        row = db.get(WebSession, _hash(token))
        if row is None:
            return ServerSession()
        now = utcnow()
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
        ended = None
        if now - row.last_seen_at > idle:
            ended = "idle"
        elif now - row.created_at > absolute:
            ended = "absolute"
        elif row.user_id is not None:
            user = db.get(User, row.user_id)
            if user is None or not user.active or user.session_version != row.user_session_version:
                ended = "revoked"
        writer = request_writer()
        if ended:
            data = _open(app, row)
            fresh = ServerSession()
            fresh.ended = ended
            fresh.expired_user_id = row.user_id
            fresh.expired_token_hash = row.token_hash  # type: ignore[attr-defined]
            # Kept so an expired form post can prove it came from this session (see drafts).
            fresh.expired_csrf = data.get("csrf_token")  # type: ignore[attr-defined]
            writer.execute(delete(WebSession).where(WebSession.token_hash == row.token_hash))
            writer.commit()
            return fresh
        session = ServerSession(_open(app, row), token=token, row_created=True)
        # Touch at most once a minute: saves a write on every request.
        if now - row.last_seen_at > timedelta(seconds=60):
            writer.execute(update(WebSession).where(WebSession.token_hash == row.token_hash)
                           .values(last_seen_at=now))
            writer.commit()
        return session

    def _open_signed(self, app: Flask, value: str) -> ServerSession:
        if not _SIGNED.fullmatch(value):
            return ServerSession()
        try:
            data = _signer(app).loads(
                value, max_age=int(app.config["SESSION_ABSOLUTE_HOURS"] * 3600))
        except BadData:
            return ServerSession()
        if not isinstance(data, dict) or not set(data) <= COOKIE_KEYS:
            return ServerSession()
        return ServerSession(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        if session.sessionless:
            return
        db = request_writer()
        name = COOKIE_NAME
        cookie_args = {
            "httponly": True,
            "secure": app.config["SESSION_COOKIE_SECURE"],
            "samesite": "Lax",
            "path": "/",
        }
        if session.regenerate and session.token:
            db.execute(delete(WebSession).where(WebSession.token_hash == _hash(session.token)))
            session.token = None
            session.row_created = False
        if not session and not session.token:
            db.commit()
            if request_had_cookie(response):
                response.delete_cookie(name, path="/")
            return
        if not session:
            # Emptied (signed out): remove the row so the cookie can never be replayed.
            db.execute(delete(WebSession).where(WebSession.token_hash == _hash(session.token)))
            db.commit()
            response.delete_cookie(name, path="/")
            return
        if _cookie_only(session):
            if session.modified:
                response.set_cookie(name, _signer(app).dumps(dict(session)), **cookie_args)
            db.commit()
            return
        if not (session.modified or not session.row_created):
            return
        user_id = session.get("_user_id")
        version = session.get("_user_version")
        if session.token is None:
            session.token = secrets.token_urlsafe(32)
            token_hash = _hash(session.token)
            db.add(WebSession(token_hash=token_hash, user_id=user_id,
                              user_session_version=version,
                              data=_seal(app, token_hash, dict(session))))
            purge_expired(db, app, PURGE_ON_SIGN_IN)
        else:
            row = db.get(WebSession, _hash(session.token))
            if row is None:  # ended meanwhile (signed out in another tab)
                db.commit()
                response.delete_cookie(name, path="/")
                return
            row.data = _seal(app, row.token_hash, dict(session))
            row.user_id = user_id
            row.user_session_version = version
        db.commit()
        response.set_cookie(name, session.token, **cookie_args)  # no max_age: a browser session


def request_had_cookie(response: Response) -> bool:
    from flask import request

    return COOKIE_NAME in request.cookies
