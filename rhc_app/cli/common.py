"""What the `rhc` command groups share: the session with the key ring, look-ups by
slug and e-mail, password input, and refusals."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.store.database import Database
from rhc_app.store.db import make_sessionmaker
from rhc_app.store.models import Organisation, User


def database() -> Database:
    """The app's database (bound by create_app): commands use its engine and key ring."""
    return current_app.extensions["rhc_database"]


SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def _key_path() -> Path:
    return Path(current_app.instance_path) / "keys.json"


def session_with_keys() -> Session:
    """A session that can read and write sealed fields, or a clear refusal."""
    ring = database().keyring
    if ring is None:
        raise click.ClickException(f"no encryption key at {_key_path()}: run `rhc init` first")
    return make_sessionmaker(database().engine, ring)()


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _add_user(s: Session, ring: KeyRing, org: Organisation, email: str, name: str, role: str,
              password: str, one_time: bool) -> User:
    """A demo account (`rhc init --demo`): a one-time password, and no two-step sign-in asked
    for, so the demo can be tried at once; real accounts come from services/users.py."""
    from rhc_app.security.passwords import hash_password

    user = User(organisation_id=org.id, email_index=ring.index("email", email), email=email,
                name=name, role=role, must_change_password=one_time,
                password_hash=hash_password(password,
                                            fast=current_app.config.get("ARGON2_FAST", False)))
    s.add(user)
    s.flush()
    return user


def _org(s: Session, slug: str) -> Organisation:
    org = s.execute(select(Organisation).where(Organisation.slug == slug)).scalar_one_or_none()
    if org is None:
        _fail(f"there is no organisation '{slug}' (see `rhc orgs list`)")
    return org  # type: ignore[return-value]


def _read_password(confirm: bool = True) -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


def _user(s: Session, email: str) -> User:
    ring = s.info["keyring"]
    user = s.execute(select(User).where(User.email_index == ring.index("email", email))
                     ).scalar_one_or_none()
    if user is None:
        _fail("there is no user with that email address")
    return user  # type: ignore[return-value]
