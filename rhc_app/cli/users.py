"""`rhc users`: workers, managers and administrators, from the server. Each command calls
services/users.py, as the administrators' pages do; an operator here is shown whole one-time
passwords (that module says why)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from flask import current_app
from flask.cli import AppGroup

from rhc_app.cli.common import _fail, _org, _read_password, _user, session_with_keys
from rhc_app.services import users as accounts
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import ROLES

T = TypeVar("T")


def _fast() -> bool:
    return bool(current_app.config.get("ARGON2_FAST", False))


def _change(email: str, change: Callable[..., T]) -> T:
    """Apply `change(session, user)` to the account with this email, in one transaction."""
    with session_with_keys() as s:
        try:
            result = change(s, _user(s, email))
        except CaseworkError as exc:
            _fail(str(exc))
        s.commit()
    return result


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
    password = None
    if not one_time:
        password = _read_password()
        problem = password_problem(password, current_app.config["PASSWORD_MIN_LENGTH"],
                                   (name, email))
        if problem:
            _fail(problem)
    with session_with_keys() as s:
        org = _org(s, org_slug)
        try:
            _, issued = accounts.create(s, org.id, email, name, role, None, fast=_fast(),
                                        whole=True, password=password)
        except CaseworkError as exc:
            _fail(str(exc))
        s.commit()
    click.echo(f"Created {role} {email}" + (f"  one-time password: {issued.shown}" if issued
                                              else ""))


@users.command("reset-password")
@click.option("--email", required=True)
def users_reset_password(email: str) -> None:
    """Give a user a new one-time password (printed), clear their two-step sign-in and end
    their sessions."""
    issued = _change(email, lambda s, member: accounts.reset_password(
        s, member, None, fast=_fast(), whole=True))
    click.echo(f"One-time password for {email}: {issued.shown}")


@users.command("approve")
@click.option("--email", required=True)
def users_approve(email: str) -> None:
    """Approve an account an administrator created or reset, when no manager can (prints the
    second half of its one-time password)."""
    second = _change(email, lambda s, member: accounts.approve(s, member, None))
    click.echo(f"Second half of the one-time password for {email}: {second}\n"
               "They sign in with the administrator's half, a hyphen, then this half.")


@users.command("disable")
@click.option("--email", required=True)
def users_disable(email: str) -> None:
    """Disable a user: they are signed out everywhere at once."""
    _change(email, lambda s, member: accounts.set_active(s, member, None, False))
    click.echo(f"Disabled {email}")


@users.command("enable")
@click.option("--email", required=True)
def users_enable(email: str) -> None:
    """Enable a disabled user again (they sign in with the password they had)."""
    _change(email, lambda s, member: accounts.set_active(s, member, None, True))
    click.echo(f"Enabled {email}")
