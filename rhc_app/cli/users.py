"""`rhc users`: workers, managers and administrators, from the server."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from rhc_app.cli.common import (
    _add_user,
    _fail,
    _one_time_password,
    _org,
    _read_password,
    _user,
    session_with_keys,
)
from rhc_app.security import audit
from rhc_app.store.models import ROLES, User


# -- users --------------------------------------------------------------------------------
@click.group(cls=AppGroup)
def users() -> None:
    """Users: workers, managers and administrators of one organisation."""


@users.command("create")
@click.option("--org", "org_slug", required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--one-time", is_flag=True,
              help="Generate a one-time password (printed) instead of reading one.")
def users_create(org_slug: str, email: str, name: str, role: str, one_time: bool) -> None:
    """Create a user. The password is read from a prompt or standard input, never an argument."""
    from rhc_app.security.passwords import password_problem

    email = email.strip()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        _fail("--email must be an email address, like name@example.org")
    if not name.strip() or len(name) > 200:
        _fail("--name must be 1 to 200 characters")
    password = _one_time_password() if one_time else _read_password()
    if not one_time:
        problem = password_problem(password, current_app.config["PASSWORD_MIN_LENGTH"],
                                   (name, email))
        if problem:
            _fail(problem)
    with session_with_keys() as s:
        org = _org(s, org_slug)
        ring = s.info["keyring"]
        if s.execute(select(User).where(User.email_index == ring.index("email", email))
                     ).scalar_one_or_none():
            _fail("a user with that email address exists already")
        user = _add_user(s, ring, org, email, name.strip(), role, password, one_time=one_time)
        audit.record(s, "user_created", org_id=org.id, record_type="user", record_id=user.id)
        s.commit()
    click.echo(f"Created {role} {email}" + (f"  one-time password: {password}" if one_time
                                              else ""))


@users.command("reset-password")
@click.option("--email", required=True)
def users_reset_password(email: str) -> None:
    """Give a user a new one-time password (printed) and end their sessions."""
    from rhc_app.security.passwords import hash_password
    from rhc_app.security.sessions import end_all_sessions

    with session_with_keys() as s:
        user = _user(s, email)
        password = _one_time_password()
        user.password_hash = hash_password(password,
                                           fast=current_app.config.get("ARGON2_FAST", False))
        user.must_change_password = True
        user.invitation_code = None  # the operator hands over the whole password instead
        user.session_version += 1
        end_all_sessions(s, user.id)
        audit.record(s, "password_reset", org_id=user.organisation_id, record_type="user",
                     record_id=user.id)
        s.commit()
    click.echo(f"One-time password for {email}: {password}")


@users.command("approve")
@click.option("--email", required=True)
def users_approve(email: str) -> None:
    """Approve an account an administrator created or reset, when no manager can (prints the
    second half of its one-time password)."""
    from rhc_app.services.invitations import approve

    with session_with_keys() as s:
        user = _user(s, email)
        if not user.awaiting_approval:
            _fail("that account is not waiting for approval")
        second = approve(s, user, None)
        s.commit()
    click.echo(f"Second half of the one-time password for {email}: {second}\n"
               "They sign in with the administrator's half, a hyphen, then this half.")


@users.command("disable")
@click.option("--email", required=True)
def users_disable(email: str) -> None:
    """Disable a user: they are signed out everywhere at once."""
    from rhc_app.security.sessions import end_all_sessions

    with session_with_keys() as s:
        user = _user(s, email)
        user.active = False
        user.session_version += 1
        end_all_sessions(s, user.id)
        audit.record(s, "user_disabled", org_id=user.organisation_id, record_type="user",
                     record_id=user.id)
        s.commit()
    click.echo(f"Disabled {email}")
