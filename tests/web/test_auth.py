"""Signing in: generic failures, the shared lock-out, CSRF, the password policy, forced password
change, the TOTP second factor, redirects after sign-in, and error pages."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pyotp
import pytest
from sqlalchemy import update

from rhc_app.store.db import utcnow
from rhc_app.store.models import SignInThrottle, User
from rhc_app.web.auth.views import GENERIC_FAILURE
from tests.conftest import PASSWORD, Auth, csrf_from
from tests.helpers_security import is_sign_in_redirect, started

MAX_BYTES = 8 * 1024


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": MAX_BYTES}


def _post_sign_in(client, email, password, code="", query=None):
    page = client.get("/sign-in")
    return client.post("/sign-in", query_string=query or {}, data={
        "email": email, "password": password, "code": code,
        "csrf_token": csrf_from(page.get_data(as_text=True))})


def test_wrong_password_is_generic(world, auth, client):
    worker = world.user("north", "worker")
    wrong = auth.sign_in(worker, "not-the-right-password")
    unknown = auth.sign_in("nobody@north.example.org", "not-the-right-password")
    assert wrong.status_code == unknown.status_code == 401
    wrong_html, unknown_html = wrong.get_data(as_text=True), unknown.get_data(as_text=True)
    assert GENERIC_FAILURE in wrong_html and GENERIC_FAILURE in unknown_html
    for html in (wrong_html, unknown_html):
        assert worker.name not in html  # nothing about the account
        assert "not-the-right-password" not in html  # the password is never echoed
        assert "Northmoor" not in html
    assert is_sign_in_redirect(client.get("/"))


def _fail_times(auth, email, n):
    for _ in range(n):
        assert auth.sign_in(email, "wrong-password-guess").status_code == 401


def test_lockout_after_max_failures(world, app, auth, client):
    worker = world.user("north", "worker")
    assert app.config["SIGN_IN_MAX_FAILURES"] == 5
    _fail_times(auth, worker.email, 4)
    assert auth.sign_in(worker).status_code == 302  # 4 failures: still allowed, and cleared
    auth.sign_out()
    _fail_times(auth, worker.email, 5)
    r = auth.sign_in(worker)  # the right password, but locked
    assert r.status_code == 429
    assert "Too many" in r.get_data(as_text=True)
    assert is_sign_in_redirect(client.get("/"))
    # Another account is not affected.
    assert Auth(app.test_client()).sign_in(world.user("north", "worker2")).status_code == 302


def test_lock_is_in_the_database_and_shared(world, app, auth, db, instance):
    worker = world.user("north", "worker")
    _fail_times(auth, worker.email, 5)
    url = app.extensions["rhc_database"].url
    with started(instance, url) as second:  # another worker process on the same database
        r = Auth(second.test_client()).sign_in(worker)
        assert r.status_code == 429
    db.rollback()
    row = db.get(SignInThrottle, db.info["keyring"].index("email", worker.email))
    assert row is not None and row.locked_until > utcnow()
    # When the lock has run out, the right password works again.
    db.execute(update(SignInThrottle).values(locked_until=utcnow()))
    db.commit()
    assert auth.sign_in(worker).status_code == 302


def test_failures_counted_across_processes(world, app, auth, instance):
    worker = world.user("north", "worker")
    _fail_times(auth, worker.email, 3)
    with started(instance, app.extensions["rhc_database"].url) as second:
        _fail_times(Auth(second.test_client()), worker.email, 2)
    assert auth.sign_in(worker).status_code == 429


def test_unknown_email_also_counts(world, auth, client):
    _fail_times(auth, "ghost@north.example.org", 5)
    r = auth.sign_in("ghost@north.example.org", "anything-at-all")
    assert r.status_code == 429 and "Too many" in r.get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "forged-token", "IjAwMDAi.ZZZZZZ.AAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_csrf_on_sign_out(world, auth, client, token):
    auth.sign_in(world.user("north", "worker"))
    r = client.post("/sign-out", data={} if token is None else {"csrf_token": token})
    assert r.status_code == 400 and "Your page had expired" in r.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still signed in


def test_csrf_token_of_another_session_is_refused(world, app, auth, client):
    auth.sign_in(world.user("north", "worker"))
    other = app.test_client()
    Auth(other).sign_in(world.user("north", "worker2"))
    their_token = csrf_from(other.get("/account").get_data(as_text=True))
    assert client.post("/sign-out", data={"csrf_token": their_token}).status_code == 400
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_csrf_on_sign_in(world, client, token):
    client.get("/sign-in")
    data = {"email": world.user("north", "worker").email, "password": PASSWORD}
    r = client.post("/sign-in", data=data if token is None else {**data, "csrf_token": token})
    assert r.status_code == 400 and "Your page had expired" in r.get_data(as_text=True)
    assert is_sign_in_redirect(client.get("/"))


@pytest.mark.parametrize("new, message", [
    ("short-one", "12 characters or more"),
    ("password1234", "too common"),
    ("Worker North rides again", "must not contain your name"),
    ("worker@north.example.org!", "must not contain your name"),
])
def test_password_policy(world, auth, client, new, message):
    auth.sign_in(world.user("north", "worker"))
    r = auth.post("/account/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "govuk-error-summary" in html and message in html
    assert new not in html  # the refused password is not echoed back
    assert Auth(client.application.test_client()).sign_in(world.user("north", "worker")
                                                          ).status_code == 302  # unchanged


def test_password_with_part_of_the_name_is_refused(world, auth):
    auth.sign_in(world.user("north", "worker"))
    new = "north-lantern-orbit-maple"  # the surname of "Worker North"
    r = auth.post("/account/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert r.status_code == 200 and "must not contain your name" in r.get_data(as_text=True)


def test_password_change_works_and_wrong_current_refused(world, app, auth):
    worker = world.user("north", "worker")
    auth.sign_in(worker)
    new = "lantern-quietly-orbit-maple"
    r = auth.post("/account/password", {"current": "not-my-password", "new": new, "confirm": new})
    assert "Current password is not correct" in r.get_data(as_text=True)
    r = auth.post("/account/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert r.status_code == 302
    assert Auth(app.test_client()).sign_in(worker, new).status_code == 302


def test_must_change_password_is_enforced(world, auth, client, db):
    worker = world.user("north", "worker")
    db.execute(update(User).where(User.id == worker.id).values(must_change_password=True))
    db.commit()
    auth.sign_in(worker)
    for url in ("/", "/children", "/account", "/children/new"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"] == "/account/password", url
    assert client.get("/account/password").status_code == 200
    new = "lantern-quietly-orbit-maple"
    assert auth.post("/account/password", {"current": PASSWORD, "new": new,
                                           "confirm": new}).status_code == 302
    assert client.get("/children").status_code == 200


def test_totp_required(totp_user, auth, client):
    worker, secret = totp_user
    r = auth.sign_in(worker)
    assert r.status_code == 401 and "security code" in r.get_data(as_text=True)
    assert is_sign_in_redirect(client.get("/"))
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
    assert auth.sign_in(worker, code=wrong).status_code == 401
    assert is_sign_in_redirect(client.get("/"))
    assert auth.sign_in(worker, code=pyotp.TOTP(secret).now()).status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_totp_codes_count_towards_lockout(totp_user, auth):
    worker, secret = totp_user
    for _ in range(5):
        assert auth.sign_in(worker, code="000000").status_code == 401
    assert auth.sign_in(worker, code=pyotp.TOTP(secret).now()).status_code == 429


def test_totp_code_cannot_be_replayed(totp_user, app):
    worker, secret = totp_user
    totp = pyotp.TOTP(secret)
    code = totp.now()
    assert Auth(app.test_client()).sign_in(worker, code=code).status_code == 302
    assert Auth(app.test_client()).sign_in(worker, code=code).status_code == 401  # RFC 6238 5.2
    earlier = totp.at(int(utcnow().timestamp()) - totp.interval)  # older than the one used
    if earlier != code:
        assert Auth(app.test_client()).sign_in(worker, code=earlier).status_code == 401


def test_admin_must_set_up_two_step(world, auth, client):
    auth.sign_in(world.user("north", "admin"))
    for url in ("/", "/admin/users", "/account"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"] == "/account/two-step", url
    page = client.get("/account/two-step")
    assert page.status_code == 200 and "Administrators must use" in page.get_data(as_text=True)


def _browser_host(location: str) -> str:
    """The host a browser would go to: it drops tabs and newlines and reads '\\' as '/'."""
    cleaned = "".join(c for c in location if c not in "\t\r\n").replace("\\", "/")
    return urlsplit(urljoin("https://rhc.example/sign-in", cleaned)).netloc


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "evil.example",
                                    "javascript:alert(1)", "/\\evil.example", "/\\/evil.example",
                                    "/\t/evil.example", "\\\\evil.example", "https:evil.example",
                                    "/%2F/evil.example", " //evil.example"])
def test_no_open_redirect_after_sign_in(world, client, target):
    r = _post_sign_in(client, world.user("north", "worker").email, PASSWORD,
                      query={"next": target})
    assert r.status_code == 302
    assert _browser_host(r.headers["Location"]) == "rhc.example"
    if "\\" not in target and "%" not in target:
        assert r.headers["Location"] == "/"


def test_next_within_the_site_is_followed(world, client):
    r = _post_sign_in(client, world.user("north", "worker").email, PASSWORD,
                      query={"next": "/account"})
    assert r.status_code == 302 and r.headers["Location"] == "/account"


def test_oversized_request(world, auth, client):
    auth.sign_in(world.user("north", "worker"))
    token = csrf_from(client.get("/account").get_data(as_text=True))
    r = client.post("/children/new", data={"csrf_token": token, "name": "x" * (MAX_BYTES * 2)})
    assert r.status_code == 413
    html = r.get_data(as_text=True)
    assert "too large" in html
    assert "Traceback" not in html and "werkzeug" not in html.lower()


def test_unknown_url(world, auth, client):
    for signed_in in (False, True):
        if signed_in:
            auth.sign_in(world.user("north", "worker"))
        r = client.get("/no/such/page")
        assert r.status_code == 404
        html = r.get_data(as_text=True)
        assert "Page not found" in html
        assert "Traceback" not in html and "werkzeug" not in html.lower()


def test_server_error_page_and_log_hide_details(world, app, auth, client, caplog):
    @app.get("/boom-for-test")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret-detail-Quillon")

    auth.sign_in(world.user("north", "worker"))
    with caplog.at_level("DEBUG"):
        r = client.get("/boom-for-test")
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert "secret-detail-Quillon" not in html and "Traceback" not in html
    assert "secret-detail-Quillon" not in caplog.text
    assert "RuntimeError" in caplog.text
