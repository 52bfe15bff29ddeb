"""The `rhc` command: the operator's interface (init, organisations, users, keys, audit…)."""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from . import audit
from .crypto import CryptoError, KeyRing
from .db import make_sessionmaker, sealed_fields
from .extensions import database
from .models import ROLES, SEALED_MODELS, KeyCheck, Organisation, User

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def _create(*_args: Any) -> Flask:
    from . import create_app

    return create_app(require_keys=False)


@click.group(cls=FlaskGroup, create_app=_create, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """Operate rhc_app: set up an instance, manage organisations, users, keys and the audit log."""


def register_commands(app: Flask) -> None:
    for cmd in (init, orgs, users, keys):
        app.cli.add_command(cmd)
    import importlib

    for name in ("data_cli", "backup_cli", "audit_cli", "sessions_cli"):
        try:
            module = importlib.import_module(f"rhc_app.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"rhc_app.{name}":
                raise
            continue
        module.register(app)


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


# -- init ---------------------------------------------------------------------------------
@click.command()
@with_appcontext
@click.option("--demo", is_flag=True, help="Also create a demo organisation with two users.")
def init(demo: bool) -> None:
    """Create the instance folder, the key ring and the database schema (safe to run again)."""
    from .migrate import upgrade

    instance = Path(current_app.instance_path)
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    db = database()
    ring = db.keyring
    has_data = inspect(db.engine).has_table("key_check")
    if ring is None:
        if has_data:
            with db.factory() as s:
                if s.get(KeyCheck, "canary") is not None:
                    _fail("the database already holds data sealed with a key that is not here: "
                          f"restore {_key_path()} (or set RHC_KEYS). No new key was made.")
        ring = KeyRing.generate()
        ring.save(_key_path())
        click.echo(f"Created the encryption key ring at {_key_path()} (mode 0600). Back it up "
                   "separately from the database: without it nothing can be read.")
    upgrade(db.engine)
    with make_sessionmaker(db.engine, ring)() as s:
        check = s.get(KeyCheck, "canary")
        if check is None:
            s.add(KeyCheck(id="canary", value="rhc key check"))
            audit.record(s, "instance_initialised")
            s.commit()
        else:
            try:
                _ = check.value
            except CryptoError:
                _fail("the key ring does not match the data already stored. Nothing changed.")
        _close_unkeyed_audit_log(s)
        click.echo("Database schema is up to date.")
        if demo:
            _demo(s)


def _close_unkeyed_audit_log(s: Session) -> None:
    """Once, after upgrading: key the audit chain and record in the key ring how many events
    came before (only those may be unkeyed)."""
    ring = s.info["keyring"]
    if ring.audit_unkeyed_events is not None:
        return
    count = audit.close_unkeyed_prefix(s)
    s.commit()
    keyed = ring.with_audit_unkeyed_events(count)
    s.info["keyring"] = database().keyring = keyed
    if current_app.config.get("KEYS"):
        click.echo(f'Keys come from RHC_KEYS: add "audit_unkeyed_events": {count} to it; '
                   "rhc_app will not start until then.")
    else:
        keyed.save(_key_path())
    click.echo(f"The audit chain is now keyed (the {count} earlier events are unkeyed). "
               "Anchor it regularly: rhc audit anchor --file PATH")
    report = audit.verify(s)
    if not report.ok:
        click.echo(f"Warning: the earlier audit events were already broken: {report.problem}")


def _demo(s: Session) -> None:
    org = s.execute(select(Organisation).where(Organisation.slug == "demo")).scalar_one_or_none()
    if org is not None:
        click.echo("The demo organisation exists already. New one-time passwords: "
                   "rhc users reset-password --email demo.worker@example.org")
        return
    org = Organisation(slug="demo", name="Demo Borough Children's Services")
    s.add(org)
    s.flush()
    ring = s.info["keyring"]
    for email, name, role in (("demo.worker@example.org", "Demo Worker", "worker"),
                              ("demo.manager@example.org", "Demo Manager", "manager")):
        password = _one_time_password()
        _add_user(s, ring, org, email, name, role, password, one_time=True)
        click.echo(f"  {role:8} {email}  one-time password: {password}")
    audit.record(s, "org_created", org_id=org.id, record_type="organisation", record_id=org.id)
    s.commit()
    click.echo("Created the demo organisation. Each user chooses a new password at first sign-in.")


def _one_time_password() -> str:
    return "-".join(secrets.token_hex(3) for _ in range(4))


def _add_user(s: Session, ring: KeyRing, org: Organisation, email: str, name: str, role: str,
              password: str, one_time: bool) -> User:
    from .security import hash_password

    user = User(organisation_id=org.id, email_index=ring.index("email", email), email=email,
                name=name, role=role, must_change_password=one_time,
                password_hash=hash_password(password,
                                            fast=current_app.config.get("ARGON2_FAST", False)))
    s.add(user)
    s.flush()
    return user


# -- organisations ------------------------------------------------------------------------
@click.group(cls=AppGroup)
def orgs() -> None:
    """Organisations: a local authority or an independent provider."""


@orgs.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--kind", type=click.Choice(["local_authority", "provider"]),
              default="local_authority", show_default=True)
def orgs_create(slug: str, name: str, kind: str) -> None:
    """Create an organisation with a short SLUG (lower-case letters, digits, hyphens)."""
    if not SLUG.match(slug):
        _fail("SLUG must be 2 to 63 lower-case letters, digits or hyphens, e.g. 'harbourside'")
    if not name.strip() or len(name) > 200:
        _fail("--name must be 1 to 200 characters")
    with session_with_keys() as s:
        if s.execute(select(Organisation).where(Organisation.slug == slug)).scalar_one_or_none():
            _fail(f"an organisation '{slug}' exists already")
        org = Organisation(slug=slug, name=name.strip(), kind=kind)
        s.add(org)
        s.flush()
        audit.record(s, "org_created", org_id=org.id, record_type="organisation",
                     record_id=org.id)
        s.commit()
    click.echo(f"Created organisation {slug}")


@orgs.command("set")
@click.argument("slug")
@click.option("--repeat-threshold", type=click.IntRange(2, 20),
              help="Episodes in the window that call for a strategy meeting (default 3).")
@click.option("--repeat-window-days", type=click.IntRange(1, 365))
@click.option("--require-signoff/--no-require-signoff", default=None,
              help="Must a manager sign off a conversation before it counts as complete?")
@click.option("--small-count-threshold", type=click.IntRange(2, 20),
              help="Counts below this are shown as '<N' in shared outputs (default 5).")
def orgs_set(slug: str, repeat_threshold: int | None, repeat_window_days: int | None,
             require_signoff: bool | None, small_count_threshold: int | None) -> None:
    """Change an organisation's settings."""
    with session_with_keys() as s:
        org = _org(s, slug)
        settings = dict(org.settings or {})
        for key, value in (("repeat_threshold", repeat_threshold),
                           ("repeat_window_days", repeat_window_days),
                           ("require_signoff", require_signoff),
                           ("small_count_threshold", small_count_threshold)):
            if value is not None:
                settings[key] = value
        org.settings = settings
        audit.record(s, "org_settings_changed", org_id=org.id, record_type="organisation",
                     record_id=org.id)
        s.commit()
    click.echo(f"Updated {slug}")


def _org(s: Session, slug: str) -> Organisation:
    org = s.execute(select(Organisation).where(Organisation.slug == slug)).scalar_one_or_none()
    if org is None:
        _fail(f"there is no organisation '{slug}' (see `rhc orgs list`)")
    return org  # type: ignore[return-value]


@orgs.command("list")
def orgs_list() -> None:
    """List organisations."""
    with session_with_keys() as s:
        for org in s.execute(select(Organisation).order_by(Organisation.slug)).scalars():
            click.echo(f"{org.slug}\t{org.kind}\t{org.name}")


# -- users --------------------------------------------------------------------------------
@click.group(cls=AppGroup)
def users() -> None:
    """Users: workers, managers and administrators of one organisation."""


def _read_password(confirm: bool = True) -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@users.command("create")
@click.option("--org", "org_slug", required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--one-time", is_flag=True,
              help="Generate a one-time password (printed) instead of reading one.")
def users_create(org_slug: str, email: str, name: str, role: str, one_time: bool) -> None:
    """Create a user. The password is read from a prompt or standard input, never an argument."""
    from .security import password_problem

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


def _user(s: Session, email: str) -> User:
    ring = s.info["keyring"]
    user = s.execute(select(User).where(User.email_index == ring.index("email", email))
                     ).scalar_one_or_none()
    if user is None:
        _fail("there is no user with that email address")
    return user  # type: ignore[return-value]


@users.command("reset-password")
@click.option("--email", required=True)
def users_reset_password(email: str) -> None:
    """Give a user a new one-time password (printed) and end their sessions."""
    from .security import hash_password
    from .sessions import end_all_sessions

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
    from .invitations import approve

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
    from .sessions import end_all_sessions

    with session_with_keys() as s:
        user = _user(s, email)
        user.active = False
        user.session_version += 1
        end_all_sessions(s, user.id)
        audit.record(s, "user_disabled", org_id=user.organisation_id, record_type="user",
                     record_id=user.id)
        s.commit()
    click.echo(f"Disabled {email}")


# -- keys ---------------------------------------------------------------------------------
@click.group(cls=AppGroup)
def keys() -> None:
    """The encryption key ring."""


def reseal_all(s: Session, ring: KeyRing, batch: int = 500) -> int:
    """Re-encrypt every sealed value under the active key, in the caller's transaction."""
    s.info["keyring"] = ring
    count = 0
    for model in SEALED_MODELS:
        fields = sealed_fields(model)
        for obj in s.execute(select(model)).scalars().yield_per(batch):
            for f in fields:
                blob = getattr(obj, f.column)
                if blob is not None and ring.key_id_of(bytes(blob)) != ring.active:
                    f.reseal(obj, ring)
                    count += 1
            if count and count % batch == 0:
                s.flush()
    return count


@keys.command("rotate")
def keys_rotate() -> None:
    """Add a new key, make it active, and re-encrypt every record with it."""
    if current_app.config.get("KEYS"):
        _fail("keys come from RHC_KEYS: rotate with a key file, or update RHC_KEYS yourself")
    with session_with_keys() as s:
        old = s.info["keyring"]
        new = old.with_new_active_key()
        # The file gets the new key first: if re-encryption stops half-way, both keys are there.
        new.save(_key_path())
        count = reseal_all(s, new)
        audit.record(s, "keys_rotated", detail=f"new key {new.active}")
        s.commit()
    click.echo(f"Re-encrypted {count} values with key {new.active}. Old keys can now be "
               f"removed: rhc keys remove KEY_ID ({', '.join(k for k in new.keys if k != new.active)})")


@keys.command("remove")
@click.argument("key_id")
def keys_remove(key_id: str) -> None:
    """Remove an old key once no record uses it."""
    with session_with_keys() as s:
        ring = s.info["keyring"]
        for model in SEALED_MODELS:
            fields = sealed_fields(model)
            for obj in s.execute(select(model)).scalars().yield_per(500):
                for f in fields:
                    blob = getattr(obj, f.column)
                    if blob is not None and ring.key_id_of(bytes(blob)) == key_id:
                        _fail(f"key {key_id} is still in use: run `rhc keys rotate` first")
        try:
            smaller = ring.without_key(key_id)
        except CryptoError as exc:
            _fail(str(exc))
        smaller.save(_key_path())
        audit.record(s, "key_removed", detail=f"key {key_id}")
        s.commit()
    click.echo(f"Removed key {key_id}")


@keys.command("list")
def keys_list() -> None:
    """List key ids (never the keys)."""
    with session_with_keys() as s:
        ring = s.info["keyring"]
        for kid in ring.keys:
            click.echo(kid + ("  (active)" if kid == ring.active else ""))


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
