"""`rhc init`: the instance folder, the key ring, the schema, the keyed audit chain and the
demo organisation."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from rhc_app.cli.common import _add_user, _fail, _key_path, database
from rhc_app.crypto import CryptoError, KeyRing
from rhc_app.security import audit
from rhc_app.services.invitations import one_time_password
from rhc_app.store.db import make_sessionmaker
from rhc_app.store.models import KeyCheck, Organisation


@click.command()
@with_appcontext
@click.option("--demo", is_flag=True, help="Also create a demo organisation with two users.")
def init(demo: bool) -> None:
    """Create the instance folder, the key ring and the database schema (safe to run again)."""
    from rhc_app.store.migrate import upgrade

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
        _offline_keys(s)
        click.echo("Database schema is up to date.")
        if demo:
            _demo(s)


def _offline_keys(s: Session) -> None:
    """Organisations made before the offline queue get its key pair on upgrade (a migration
    has no key ring to seal the private half with)."""
    from rhc_app.services.offline import add_missing_keys

    count = add_missing_keys(s)
    s.commit()
    if count:
        click.echo(f"Made offline queue keys for {count} organisations.")


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
        click.echo(f"Warning: the earlier audit events were already broken: {report.problem}",
                   err=True)


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
        password = one_time_password()
        _add_user(s, ring, org, email, name, role, password, one_time=True)
        click.echo(f"  {role:8} {email}  one-time password: {password}")
    audit.record(s, "org_created", org_id=org.id, record_type="organisation", record_id=org.id)
    s.commit()
    click.echo("Created the demo organisation. Each user chooses a new password at first sign-in.")
