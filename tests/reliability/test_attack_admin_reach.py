"""Finding 4: an administrator must not be able to reach case records by creating or resetting
a worker's or manager's account and signing in with the one-time password they were shown.

The administrator sees only the first half; a manager of the organisation approves the account
and is shown the second; the new user needs both, then chooses a password and must set up
two-step sign-in. Managers see every such change on the Team page."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from rhc_app.store.models import AuditEvent, User
from tests.conftest import Auth, csrf_from, make_user
from tests.reliability_plugin import attack_refused

# Anything on a page that looks like (part of) a one-time password.
CODE_RE = re.compile(r"[0-9a-f]{6}(?:-[0-9a-f]{6})+")
NEW_PASSWORD = "plum-orbit-lantern-quietly"
ATTACKER_EMAIL = "kit.madeup@attacker.example.net"  # an address the administrator controls


def _admin(app, db, world, org="north") -> Auth:
    admin = db.get(User, world.user(org, "admin").id)
    secret = pyotp.random_base32()
    admin.totp_secret = secret
    db.commit()
    auth = Auth(app.test_client())
    assert auth.sign_in(admin, code=pyotp.TOTP(secret).now()).status_code == 302
    return auth


def _codes(html: str) -> list[str]:
    return sorted(set(CODE_RE.findall(html)))


def _add_user(auth: Auth, name: str, email: str, role: str) -> str:
    r = auth.post("/admin/users/new", {"name": name, "email": email, "role": role})
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def _by_email(db, email: str) -> User:
    db.rollback()
    db.expire_all()
    return next(u for u in db.execute(select(User)).scalars() if u.email == email)


def _reset(auth: Auth, member: User) -> str:
    url = f"/admin/users/{member.id}/reset-password"
    r = auth.post(url, {})
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def _refused_with_everything_shown(app, email: str, html: str) -> None:
    """Every code-like string the administrator saw, alone and joined, fails to sign in."""
    codes = _codes(html)
    assert codes, "the administrator is shown something to hand over"
    tries = codes + ["-".join(codes), "".join(codes)]
    for guess in tries:
        r = Auth(app.test_client()).sign_in(email, password=guess)
        assert r.status_code == 401, (guess, r.status_code)


def test_admin_cannot_sign_in_as_a_manager_they_created(app, world, db):
    admin = _admin(app, db, world)
    html = _add_user(admin, "Kit Madeup", ATTACKER_EMAIL, "manager")
    _refused_with_everything_shown(app, ATTACKER_EMAIL, html)
    assert "first half" in html
    attack_refused("finding 4: admin signs in as a manager account they created")
    member = _by_email(db, ATTACKER_EMAIL)
    assert member.awaiting_approval and member.password_hash
    # The second half is sealed: not in the row in plaintext.
    second = member.invitation_code
    assert second and second.encode() not in member.invitation_code_enc


def test_admin_cannot_sign_in_as_a_worker_after_a_reset(app, world, db):
    admin = _admin(app, db, world)
    worker = world.user("north", "worker")
    html = _reset(admin, worker)
    _refused_with_everything_shown(app, worker.email, html)
    attack_refused("finding 4: admin signs in as a worker after resetting their password")
    member = db.get(User, worker.id)
    db.refresh(member)
    assert member.awaiting_approval and member.totp_secret is None


def test_admin_cannot_approve_the_invitation(app, world, db):
    """Not as themselves, nor through a second administrator account they create."""
    admin = _admin(app, db, world)
    _add_user(admin, "Kit Madeup", ATTACKER_EMAIL, "manager")
    member = _by_email(db, ATTACKER_EMAIL)
    token = csrf_from(admin.client.get("/admin/users").get_data(as_text=True))
    assert admin.client.get("/team/accounts").status_code == 404
    for verb in ("approve", "refuse"):
        r = admin.client.post(f"/team/accounts/{member.id}/{verb}", data={"csrf_token": token})
        assert r.status_code == 404
    attack_refused("finding 4: admin approves the invitation of an account they created")

    # A second administrator account is shown its whole password (it reads no case records) …
    html = _add_user(admin, "Kit Admin", "kit.admin@attacker.example.net", "admin")
    password = re.search(r'id="one-time-password">([^<]+)<', html).group(1).strip()
    second = _sign_in_first_time(app, "kit.admin@attacker.example.net", password)
    token = csrf_from(second.client.get("/admin/users").get_data(as_text=True))
    r = second.client.post(f"/team/accounts/{member.id}/approve", data={"csrf_token": token})
    assert r.status_code == 404 and "second-half" not in r.get_data(as_text=True)
    assert _by_email(db, ATTACKER_EMAIL).awaiting_approval
    attack_refused("finding 4: a second admin account approves the invitation")


def test_only_a_manager_of_the_organisation_approves_and_not_their_own(app, world, db):
    admin = _admin(app, db, world)
    _add_user(admin, "Kit Madeup", ATTACKER_EMAIL, "worker")
    member = _by_email(db, ATTACKER_EMAIL)
    for who in (("south", "manager"), ("north", "worker")):
        other = Auth(app.test_client())
        assert other.sign_in(world.user(*who)).status_code == 302
        token = csrf_from(other.client.get("/account").get_data(as_text=True))
        r = other.client.post(f"/team/accounts/{member.id}/approve", data={"csrf_token": token})
        assert r.status_code == 404, who
    attack_refused("finding 4: a manager of another organisation (or a worker) approves")
    manager = Auth(app.test_client())
    assert manager.sign_in(world.user("north", "manager")).status_code == 302
    assert manager.client.post(f"/team/accounts/{member.id}/approve").status_code == 400  # CSRF
    assert manager.client.head(f"/team/accounts/{member.id}/approve").status_code == 405
    assert _by_email(db, ATTACKER_EMAIL).awaiting_approval
    # A manager never approves their own reset: it is not even listed for them.
    db.rollback()
    boss = make_user(db, db.get(User, world.user("north", "manager").id).organisation,
                     "second.manager@north.example.org", "Second Manager", "manager")
    db.commit()
    boss_auth = Auth(app.test_client())
    assert boss_auth.sign_in("second.manager@north.example.org").status_code == 302
    from rhc_app.services import invitations

    db.rollback()
    assert invitations.approvable(db, db.get(User, boss.id), boss.id) is None


def _sign_in_first_time(app, email: str, password: str) -> Auth:
    new = Auth(app.test_client())
    assert new.sign_in(email, password=password).status_code == 302
    r = new.client.get("/")
    assert r.status_code == 302 and r.headers["Location"] == "/account/password"
    r = new.post("/account/password", {"current": password, "new": NEW_PASSWORD,
                                       "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"].endswith("/account/two-step"), \
        r.headers.get("Location")
    for url in ("/", "/children", "/team"):  # nothing else until two-step sign-in is set up
        r = new.client.get(url)
        assert r.status_code == 302 and r.headers["Location"] == "/account/two-step", url
    page = new.client.get("/account/two-step").get_data(as_text=True)
    assert "must use two-step sign-in" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    r = new.client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now(),
                                                   "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    return new


def test_the_legitimate_path_end_to_end(app, world, db):
    admin = _admin(app, db, world)
    html = _add_user(admin, "Rowan Newstarter", "rowan.newstarter@north.example.org", "worker")
    first = re.search(r'id="first-half">([^<]+)<', html).group(1).strip()
    assert "There is no other manager" not in html
    users = admin.client.get("/admin/users").get_data(as_text=True)
    assert "Waiting for a manager to approve" in users

    manager = Auth(app.test_client())
    assert manager.sign_in(world.user("north", "manager")).status_code == 302
    team = manager.client.get("/team").get_data(as_text=True)
    assert 'id="accounts-notice"' in team and "1 account is waiting" in team
    page = manager.client.get("/team/accounts").get_data(as_text=True)
    assert "Rowan Newstarter" in page and "Admin North (admin)" in page
    assert "Account created" in page
    member = _by_email(db, "rowan.newstarter@north.example.org")
    r = manager.client.post(f"/team/accounts/{member.id}/approve",
                            data={"csrf_token": csrf_from(page)})
    second = re.search(r'id="second-half">([^<]+)<', r.get_data(as_text=True)).group(1).strip()
    member = _by_email(db, "rowan.newstarter@north.example.org")
    assert not member.awaiting_approval and member.invitation_code_enc is None
    # Shown once: approving again is refused.
    again = manager.client.post(f"/team/accounts/{member.id}/approve",
                                data={"csrf_token": csrf_from(page)})
    assert again.status_code == 404

    # Each half alone fails; both, in order, work.
    for guess in (first, second, f"{second}-{first}"):
        assert Auth(app.test_client()).sign_in(member.email, password=guess).status_code == 401
    new = _sign_in_first_time(app, member.email, f"{first}-{second}")
    assert new.client.get("/").status_code == 200

    page = manager.client.get("/team/accounts").get_data(as_text=True)
    assert "Approved by a manager" in page and "Manager North (manager)" in page
    actions = [e.action for e in db.execute(select(AuditEvent).where(
        AuditEvent.record_id == member.id).order_by(AuditEvent.seq)).scalars()]
    assert actions[:2] == ["user_created", "invitation_approved"], actions


def test_a_worker_reset_is_approved_and_listed(app, world, db):
    admin = _admin(app, db, world)
    worker = world.user("north", "worker")
    first = re.search(r'id="first-half">([^<]+)<', _reset(admin, worker)).group(1).strip()
    manager = Auth(app.test_client())
    assert manager.sign_in(world.user("north", "manager")).status_code == 302
    page = manager.client.get("/team/accounts").get_data(as_text=True)
    assert "Password reset" in page and "Worker North (worker)" in page
    r = manager.client.post(f"/team/accounts/{worker.id}/approve",
                            data={"csrf_token": csrf_from(page)})
    second = re.search(r'id="second-half">([^<]+)<', r.get_data(as_text=True)).group(1).strip()
    new = _sign_in_first_time(app, worker.email, f"{first}-{second}")
    assert new.client.get("/").status_code == 200


def test_a_manager_refuses_an_account(app, world, db):
    admin = _admin(app, db, world)
    _add_user(admin, "Kit Madeup", ATTACKER_EMAIL, "manager")
    member = _by_email(db, ATTACKER_EMAIL)
    second = member.invitation_code
    manager = Auth(app.test_client())
    assert manager.sign_in(world.user("north", "manager")).status_code == 302
    page = manager.client.get("/team/accounts").get_data(as_text=True)
    r = manager.client.post(f"/team/accounts/{member.id}/refuse",
                            data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/team/accounts")
    page = manager.client.get("/team/accounts").get_data(as_text=True)
    assert "account is refused and disabled" in page and "Refused by a manager" in page
    member = _by_email(db, ATTACKER_EMAIL)
    assert not member.active and member.invitation_code_enc is None
    assert Auth(app.test_client()).sign_in(ATTACKER_EMAIL, password=second).status_code == 401


def test_with_no_manager_to_approve_an_operator_approves_on_the_server(app, world, db, runner):
    admin = _admin(app, db, world)
    manager = world.user("north", "manager")
    html = _reset(admin, manager)  # the organisation's only manager
    assert "There is no other manager in your organisation" in html
    first = re.search(r'id="first-half">([^<]+)<', html).group(1).strip()
    result = runner.invoke(args=["users", "approve", "--email", manager.email])
    assert result.exit_code == 0, result.output
    second = re.search(r"password for \S+: (\S+)", result.output).group(1)
    assert runner.invoke(args=["users", "approve", "--email", manager.email]).exit_code != 0
    new = _sign_in_first_time(app, manager.email, f"{first}-{second}")
    assert new.client.get("/team").status_code == 200
    page = new.client.get("/team/accounts").get_data(as_text=True)
    assert "Approved on the server" in page and "An operator on the server" in page


def test_an_admin_account_still_gets_its_whole_password(app, world, db):
    admin = _admin(app, db, world)
    html = _add_user(admin, "Ash Secondadmin", "ash.secondadmin@north.example.org", "admin")
    password = re.search(r'id="one-time-password">([^<]+)<', html).group(1).strip()
    r = Auth(app.test_client()).sign_in("ash.secondadmin@north.example.org", password=password)
    assert r.status_code == 302
    assert not _by_email(db, "ash.secondadmin@north.example.org").awaiting_approval


def test_an_operator_reset_replaces_a_pending_invitation(app, world, db, runner):
    """On the server an operator hands over a whole password: nothing is left to approve."""
    admin = _admin(app, db, world)
    worker = world.user("north", "worker")
    _reset(admin, worker)
    result = runner.invoke(args=["users", "reset-password", "--email", worker.email])
    assert result.exit_code == 0, result.output
    password = re.search(r"password for \S+: (\S+)", result.output).group(1)
    member = _by_email(db, worker.email)
    assert not member.awaiting_approval
    assert Auth(app.test_client()).sign_in(worker.email, password=password).status_code == 302
