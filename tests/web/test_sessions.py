"""Server-side sessions: the cookie, renewal at sign-in, sign-out that really ends the session,
idle and absolute time-outs, revocation, and the headers on every signed-in page."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from rhc_app.store.db import utcnow
from rhc_app.store.models import WebSession
from tests.conftest import PASSWORD, Auth, make_case
from tests.helpers_security import (
    is_sign_in_redirect,
    session_cookie,
    set_cookie_headers,
    set_session_cookie,
)


def _sessions_of(db, user):
    db.rollback()  # a fresh snapshot
    return db.execute(select(WebSession).where(WebSession.user_id == user.id)).scalars().all()


def test_cookie_attributes_and_renewal_at_sign_in(world, auth, client, db):
    client.get("/sign-in")  # a CSRF token, kept in a signed cookie (no row) until sign-in
    before = session_cookie(client)
    assert before
    r = auth.sign_in(world.user("north", "worker"))
    assert r.status_code == 302
    headers = set_cookie_headers(r)
    assert len(headers) == 1
    attrs = [a.strip().lower() for a in headers[0].split(";")]
    assert "httponly" in attrs
    assert "samesite=lax" in attrs
    assert "path=/" in attrs
    assert not any(a.startswith(("expires=", "max-age=")) for a in attrs), headers[0]
    after = session_cookie(client)
    assert after and after != before  # a new session id at sign-in (no fixation)
    # The pre-sign-in token is gone from the server: replaying it gives an anonymous session.
    other = client.application.test_client()
    set_session_cookie(other, before)
    assert is_sign_in_redirect(other.get("/"))


def test_cookie_is_only_a_random_token(world, auth, client, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    token = session_cookie(client)
    assert len(token) >= 40
    assert worker.id not in token and "north" not in token
    rows = _sessions_of(db, worker)
    assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in rows[0].data  # only its hash is stored


def test_secure_cookie_when_configured(world, app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    r = client.get("/sign-in", base_url="https://localhost")
    attrs = [a.strip().lower() for a in set_cookie_headers(r)[0].split(";")]
    assert "secure" in attrs


def test_sign_out_ends_the_session_on_the_server(world, auth, client, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    token = session_cookie(client)
    assert client.get("/").status_code == 200
    r = auth.sign_out()
    assert r.status_code == 302 and r.headers["Location"].endswith("/signed-out")
    assert session_cookie(client) is None  # the browser is told to forget it
    assert _sessions_of(db, worker) == []
    set_session_cookie(client, token)  # a copied cookie replayed after sign-out
    r = client.get("/")
    assert is_sign_in_redirect(r)
    assert is_sign_in_redirect(client.get("/account"))


def _age_sessions(db, user, **values):
    db.execute(update(WebSession).where(WebSession.user_id == user.id).values(**values))
    db.commit()


def test_idle_timeout(world, auth, client, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    _age_sessions(db, worker, last_seen_at=utcnow() - timedelta(minutes=14))
    assert client.get("/").status_code == 200  # not yet idle: activity resets the clock
    _age_sessions(db, worker, last_seen_at=utcnow() - timedelta(minutes=16))
    r = client.get("/account")
    assert is_sign_in_redirect(r)
    assert "next=/account" in r.headers["Location"]
    assert _sessions_of(db, worker) == []
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "timed out" in page


def test_activity_moves_last_seen(world, auth, client, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    _age_sessions(db, worker, last_seen_at=utcnow() - timedelta(minutes=10))
    assert client.get("/").status_code == 200
    (row,) = _sessions_of(db, worker)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_absolute_timeout(world, auth, client, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    _age_sessions(db, worker, created_at=utcnow() - timedelta(hours=11))
    assert client.get("/").status_code == 200
    # Active all along (last seen now), but started 13 hours ago.
    _age_sessions(db, worker, created_at=utcnow() - timedelta(hours=13),
                  last_seen_at=utcnow())
    assert is_sign_in_redirect(client.get("/"))
    assert _sessions_of(db, worker) == []


def test_password_change_ends_other_sessions(world, app, auth, client, db):
    worker = world.user("north", "worker")
    other = app.test_client()
    Auth(other).sign_in(worker)
    auth.sign_in(worker)
    assert other.get("/").status_code == 200
    new = "lantern-quietly-orbit-maple"
    r = auth.post("/account/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert client.get("/").status_code == 200  # this session carries on (renewed)
    assert is_sign_in_redirect(other.get("/"))
    assert len(_sessions_of(db, worker)) == 1
    # The new password works, the old one does not.
    fresh = Auth(app.test_client())
    assert fresh.sign_in(worker, PASSWORD).status_code == 401
    assert fresh.sign_in(worker, new).status_code == 302


def test_disable_ends_sessions(world, auth, client, runner, db):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    assert client.get("/").status_code == 200
    result = runner.invoke(args=["users", "disable", "--email", worker.email])
    assert result.exit_code == 0, result.output
    assert is_sign_in_redirect(client.get("/"))
    assert _sessions_of(db, worker) == []
    assert auth.sign_in(worker).status_code == 401  # and cannot sign in again


def test_revoked_version_ends_session_even_if_row_remains(world, auth, client, db):
    from rhc_app.store.models import User

    worker = world.user("north", "worker")
    auth.sign_in(worker)
    db.execute(update(User).where(User.id == worker.id)
               .values(session_version=User.session_version + 1))
    db.commit()
    assert is_sign_in_redirect(client.get("/"))


@pytest.fixture
def signed_in_pages(world, auth, db):
    worker = world.user("north", "worker")
    episode = make_case(db, worker)
    auth.sign_in(worker)
    return ["/", "/account", "/children", f"/children/{episode.child_id}",
            f"/conversations/{episode.conversation.id}", "/account/password"]


def test_signed_in_pages_are_not_cached(signed_in_pages, client):
    for url in signed_in_pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert "no-store" in r.headers.get("Cache-Control", ""), url


def test_security_headers(signed_in_pages, client):
    nonces = set()
    for url in [*signed_in_pages, "/sign-in", "/nowhere-at-all"]:
        r = client.get(url)
        csp = r.headers["Content-Security-Policy"]
        directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
        script = directives["script-src"]
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, url
        assert "'unsafe-inline'" not in directives.get("default-src", [])
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]
        nonces.update(s for s in script if s.startswith("'nonce-"))
        assert r.headers["X-Frame-Options"] == "DENY", url
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"
    assert len(nonces) == len(signed_in_pages) + 2  # a fresh nonce per response
