"""services/users.py: the administrators' pages and `rhc users` change an account the same
way: a reset clears two-step sign-in from either, and each change has one audit event, whose
user is the administrator or none (an operator on the server)."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from rhc_app.store.models import AuditEvent, User
from tests.conftest import Auth

SECRET = pyotp.random_base32()


def _with_two_step(db, member) -> User:  # type: ignore[no-untyped-def]
    fresh = db.get(User, member.id)
    fresh.totp_secret = SECRET
    db.commit()
    return fresh


def _admin(app, db, world) -> Auth:  # type: ignore[no-untyped-def]
    admin = _with_two_step(db, world.user("north", "admin"))
    auth = Auth(app.test_client())
    assert auth.sign_in(admin, code=pyotp.TOTP(SECRET).now()).status_code == 302
    return auth


def _reset_on_the_page(app, db, world, member, page=None) -> None:  # type: ignore[no-untyped-def]
    page = page or _admin(app, db, world)
    assert page.post(f"/admin/users/{member.id}/reset-password", {}).status_code == 200


def _reset_on_the_server(app, db, world, member) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["users", "reset-password", "--email",
                                                member.email])
    assert result.exit_code == 0, result.output


def _account(db, member) -> User:  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    return db.get(User, member.id)


def _events(db, member) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    db.rollback()
    return [(e.action, e.user_id) for e in db.execute(select(AuditEvent).where(
        AuditEvent.record_id == member.id).order_by(AuditEvent.seq)).scalars()]


@pytest.mark.parametrize("reset", [_reset_on_the_page, _reset_on_the_server])
def test_a_reset_clears_two_step_sign_in_from_either(app, world, db, reset):
    worker = _with_two_step(db, world.user("north", "worker"))
    reset(app, db, world, worker)
    member = _account(db, worker)
    assert member.totp_secret is None and member.totp_last_step is None
    assert member.must_change_password and member.two_step_required


def test_both_resets_and_disables_are_audited_alike(app, world, db, runner):
    worker, admin = world.user("north", "worker"), world.user("north", "admin")
    page = _admin(app, db, world)  # once: a code is accepted only once
    _reset_on_the_page(app, db, world, worker, page)
    _reset_on_the_server(app, db, world, worker)
    assert page.post(f"/admin/users/{worker.id}/disable", {}).status_code == 302
    assert runner.invoke(args=["users", "enable", "--email", worker.email]).exit_code == 0
    assert runner.invoke(args=["users", "disable", "--email", worker.email]).exit_code == 0
    assert page.post(f"/admin/users/{worker.id}/enable", {}).status_code == 302
    assert _events(db, worker) == [
        ("user_reset_password", admin.id), ("user_reset_password", None),
        ("user_disable", admin.id), ("user_enable", None), ("user_disable", None),
        ("user_enable", admin.id)]
    assert _account(db, worker).active


def test_an_operator_enables_an_account_again(app, world, db, runner):
    worker = world.user("north", "worker")
    assert runner.invoke(args=["users", "disable", "--email", worker.email]).exit_code == 0
    assert Auth(app.test_client()).sign_in(worker).status_code == 401
    result = runner.invoke(args=["users", "enable", "--email", worker.email])
    assert (result.exit_code, result.output) == (0, f"Enabled {worker.email}\n")
    assert Auth(app.test_client()).sign_in(worker).status_code == 302


def test_an_operator_is_shown_the_whole_one_time_password(app, world, db, runner):
    result = runner.invoke(args=["users", "create", "--org", "north", "--email",
                                 "wren.newstarter@north.example.org", "--name", "Wren Newstarter",
                                 "--role", "worker", "--one-time"])
    assert result.exit_code == 0, result.output
    password = re.search(r"one-time password: (\S+)", result.output).group(1)
    member = next(u for u in db.execute(select(User)).scalars()
                  if u.email == "wren.newstarter@north.example.org")
    assert not member.awaiting_approval and member.two_step_required
    assert _events(db, member) == [("user_created", None)]
    assert Auth(app.test_client()).sign_in(member.email, password).status_code == 302


def test_approving_an_account_that_waits_for_nothing_is_refused(world, runner, db):
    result = runner.invoke(args=["users", "approve", "--email",
                                 world.user("north", "worker").email])
    assert result.exit_code == 1 and "not waiting for approval" in result.output
    assert _events(db, world.user("north", "worker")) == []
