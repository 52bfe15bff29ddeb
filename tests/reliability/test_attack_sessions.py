"""Attack findings 11 and 15: anonymous requests must not fill the session table, expired rows
are purged, and a session cookie that is not one of ours is simply no session."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from rhc_app.store.db import utcnow
from rhc_app.store.models import WebSession
from tests.conftest import csrf_from
from tests.helpers_security import session_cookie, set_session_cookie
from tests.reliability_plugin import attack_refused


def _rows(db) -> int:
    db.rollback()
    return db.execute(select(func.count()).select_from(WebSession)).scalar_one()


def test_cookieless_sign_in_pages_store_no_session_rows(world, app, db):
    for _ in range(60):
        fresh = app.test_client()  # a new visitor each time: no cookie
        assert fresh.get("/sign-in").status_code == 200
        assert fresh.head("/sign-in").status_code == 200
        assert fresh.get("/").status_code == 302  # sent to sign in
    assert _rows(db) == 0
    attack_refused("finding 11: cookie-less GET /sign-in stores a session row")


def test_anonymous_csrf_token_still_protects_the_sign_in_form(world, app, db, auth, client):
    page = client.get("/sign-in").get_data(as_text=True)
    token = csrf_from(page)
    assert _rows(db) == 0
    # The same visitor signs in with the token from that page: it works.
    r = client.post("/sign-in", data={"email": world.user("north", "worker").email,
                                      "password": "correct-horse-staple-battery",
                                      "csrf_token": token})
    assert r.status_code == 302
    assert _rows(db) == 1  # the row is made at sign-in
    # Another visitor cannot use that token without the cookie it belongs to.
    other = app.test_client()
    other.get("/sign-in")
    r = other.post("/sign-in", data={"email": "x@example.org", "password": "y" * 12,
                                     "csrf_token": token})
    assert r.status_code == 400
    # A forged anonymous cookie (not signed with the app's secret) is no session at all.
    forged = app.test_client()
    set_session_cookie(forged, "eyJjc3JmX3Rva2VuIjoiYWJjIn0.ZZZZZZ.forgedsignatureforgedsig")
    r = forged.post("/sign-in", data={"email": "x@example.org", "password": "y" * 12,
                                      "csrf_token": token})
    assert r.status_code == 400


def test_expired_rows_are_purged_at_sign_in(world, app, db, auth, client):
    worker = world.user("north", "worker")
    for _ in range(5):
        c = app.test_client()
        from tests.conftest import Auth

        assert Auth(c).sign_in(worker).status_code == 302
    assert _rows(db) == 5
    db.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
    db.commit()
    assert auth.sign_in(world.user("north", "manager")).status_code == 302
    assert _rows(db) == 1  # the five expired rows went, the new one stays
    attack_refused("finding 11: expired session rows are never purged")


def test_sessions_purge_command(world, app, db, runner):
    from tests.conftest import Auth

    for who in ("worker", "worker2", "manager"):
        assert Auth(app.test_client()).sign_in(world.user("north", who)).status_code == 302
    db.execute(update(WebSession).where(WebSession.user_id != world.user("north", "manager").id)
               .values(created_at=utcnow() - timedelta(hours=13)))
    db.commit()
    result = runner.invoke(args=["sessions", "purge"])
    assert result.exit_code == 0, result.output
    assert "2 expired sessions removed" in result.output
    assert _rows(db) == 1


def test_non_ascii_session_cookie_is_no_session(world, app, client, auth):
    for value in ("é" * 10, "é" * 10 + ".abc", "\u202e" * 50, "a" * 3000, "ü.ü.ü"):
        c = app.test_client()
        set_session_cookie(c, value)
        r = c.get("/sign-in")
        assert r.status_code == 200, value
        r = c.get("/")
        assert r.status_code == 302 and r.headers["Location"].startswith("/sign-in")
    # And the visitor can still sign in from there.
    set_session_cookie(client, "é" * 10)
    assert auth.sign_in(world.user("north", "worker")).status_code == 302
    assert session_cookie(client) and client.get("/").status_code == 200
    attack_refused("finding 15: non-ASCII session cookie gives a 500")

