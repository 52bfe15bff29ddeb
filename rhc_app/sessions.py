"""Server-side sessions kept in the database, so every gunicorn worker (and every machine on
one PostgreSQL) sees the same sessions, and signing out really ends a session: a replayed
cookie finds no row. The cookie holds only a random token; the row is keyed by its SHA-256."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, update
from werkzeug.datastructures import CallbackDict

from .crypto import CryptoError
from .db import utcnow
from .models import User, WebSession

COOKIE_NAME = "rhc_session"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


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


class DatabaseSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(COOKIE_NAME)
        if not token or len(token) > 100:
            return ServerSession()
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
        writer = app.extensions["rhc_database"].writer()
        if ended:
            data = _open(app, row)
            fresh = ServerSession()
            fresh.ended = ended
            fresh.expired_user_id = row.user_id
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

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        db = app.extensions["rhc_database"].writer()
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


def end_all_sessions(db: Any, user_id: str) -> None:
    db.execute(delete(WebSession).where(WebSession.user_id == user_id))
