"""Administrators: users and settings of their own organisation only, with two-step sign-in."""

import re

import pyotp
from sqlalchemy import select

from rhc_app.store.models import Organisation, User, WebSession
from tests.conftest import csrf_from


def _admin_with_totp(db, world, org="north"):
    admin = world.user(org, "admin")
    secret = pyotp.random_base32()
    admin = db.get(User, admin.id)
    admin.totp_secret = secret
    db.commit()
    return admin, secret


def test_admin_must_set_up_two_step_sign_in(world, auth, client):
    auth.sign_in(world.user("north", "admin"))
    r = client.get("/admin/users")
    assert r.status_code == 302 and r.headers["Location"].endswith("/account/two-step")


def test_admin_adds_user_and_password_shown_once(world, auth, client, db):
    admin, secret = _admin_with_totp(db, world)
    r = auth.sign_in(admin, code=pyotp.TOTP(secret).now())
    assert r.status_code == 302
    r = auth.post("/admin/users/new", {"name": "Rowan Newstarter", "email": "rowan@north.example.org",
                                       "role": "worker"})
    html = r.get_data(as_text=True)
    first_half = re.search(r'id="first-half">([^<]+)<', html).group(1)
    db.rollback()
    users = db.execute(select(User).where(User.organisation_id == admin.organisation_id)).scalars().all()
    new = next(u for u in users if u.email == "rowan@north.example.org")
    assert new.must_change_password and first_half not in new.password_hash
    assert new.awaiting_approval and new.two_step_required  # a worker: a manager must approve
    r = auth.post("/admin/users/new", {"name": "Rowan Again", "email": "ROWAN@north.example.org",
                                       "role": "worker"})
    assert "A user with this email address already exists" in r.get_data(as_text=True)
    assert auth.post("/admin/users/new", {"name": "X", "email": "not-an-email", "role": "worker"}
                     ).status_code == 200


def test_disable_needs_confirmation_and_ends_sessions(world, auth, client, app, db):
    worker = world.user("north", "worker")
    other = app.test_client()
    page = other.get("/sign-in").get_data(as_text=True)
    other.post("/sign-in", data={"email": worker.email, "password": "correct-horse-staple-battery",
                                 "csrf_token": csrf_from(page)})
    assert other.get("/").status_code == 200
    admin, secret = _admin_with_totp(db, world)
    auth.sign_in(admin, code=pyotp.TOTP(secret).now())
    url = f"/admin/users/{worker.id}/disable"
    assert "Disable Worker North?" in client.get(url).get_data(as_text=True)
    db.rollback()
    assert db.get(User, worker.id).active  # nothing changed by the confirmation page
    r = client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/users"), r.headers
    db.rollback()
    db.expire_all()  # rollback is a no-op (nothing expired) when no transaction was open
    assert not db.get(User, worker.id).active
    assert db.execute(select(WebSession).where(WebSession.user_id == worker.id)).first() is None
    assert other.get("/").status_code == 302  # signed out on the server


def test_admin_cannot_touch_another_organisation_or_case_records(world, auth, client, db):
    admin, secret = _admin_with_totp(db, world)
    auth.sign_in(admin, code=pyotp.TOTP(secret).now())
    south_worker = world.user("south", "worker")
    assert client.get(f"/admin/users/{south_worker.id}/disable").status_code == 404
    assert client.get("/children").status_code == 404
    assert "Worker South" not in client.get("/admin/users").get_data(as_text=True)


def test_settings_change_the_repeat_threshold(world, auth, client, db):
    admin, secret = _admin_with_totp(db, world)
    auth.sign_in(admin, code=pyotp.TOTP(secret).now())
    r = auth.post("/admin/settings", {"repeat_threshold": "1", "repeat_window_days": "30"})
    assert "Enter a number from 2 to 20" in r.get_data(as_text=True)
    r = auth.post("/admin/settings", {"repeat_threshold": "5", "repeat_window_days": "28",
                                      "require_signoff": "y"})
    assert r.status_code == 302
    db.rollback()
    db.expire_all()
    org = db.execute(select(Organisation).where(Organisation.slug == "north")).scalar_one()
    assert org.setting("repeat_threshold") == 5 and org.setting("require_signoff") is True
