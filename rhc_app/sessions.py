"""Server-side sessions kept in the database, so every gunicorn worker (and every machine on
one PostgreSQL) sees the same sessions, and signing out really ends a session: a replayed
cookie finds no row. The cookie holds only a random token; the row is keyed by its SHA-256."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete
from werkzeug.datastructures import CallbackDict

from .db import utcnow
from .models import User, WebSession

COOKIE_NAME = "rhc_session"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


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
        if ended:
            data = row.load()
            fresh = ServerSession()
            fresh.ended = ended
            fresh.expired_user_id = row.user_id
            # Kept so an expired form post can prove it came from this session (see drafts).
            fresh.expired_csrf = data.get("csrf_token")  # type: ignore[attr-defined]
            db.delete(row)
            db.commit()
            return fresh
        session = ServerSession(row.load(), token=token, row_created=True)
        # Touch at most once a minute: saves a write on every request.
        if now - row.last_seen_at > timedelta(seconds=60):
            row.last_seen_at = now
            db.commit()
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        db = app.extensions["rhc_db"]()
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
        payload = json.dumps(dict(session))
        if session.token is None:
            session.token = secrets.token_urlsafe(32)
            db.add(WebSession(token_hash=_hash(session.token), user_id=user_id,
                              user_session_version=version, data=payload))
        else:
            row = db.get(WebSession, _hash(session.token))
            if row is None:  # ended meanwhile (signed out in another tab)
                db.commit()
                response.delete_cookie(name, path="/")
                return
            row.data = payload
            row.user_id = user_id
            row.user_session_version = version
        db.commit()
        response.set_cookie(name, session.token, **cookie_args)  # no max_age: a browser session


def request_had_cookie(response: Response) -> bool:
    from flask import request

    return COOKIE_NAME in request.cookies


def end_all_sessions(db: Any, user_id: str) -> None:
    db.execute(delete(WebSession).where(WebSession.user_id == user_id))
