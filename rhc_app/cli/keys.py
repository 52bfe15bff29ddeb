"""`rhc keys`: rotate, remove and list the encryption keys."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.cli.common import (
    _fail,
    _key_path,
    session_with_keys,
)
from rhc_app.crypto import CryptoError, KeyRing
from rhc_app.security import audit
from rhc_app.store.db import sealed_fields
from rhc_app.store.models import SEALED_MODELS


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



@keys.command("offline")
def keys_offline() -> None:
    """Give every organisation made before the offline queue its key pair for it."""
    from rhc_app.services.offline import add_missing_keys

    with session_with_keys() as s:
        count = add_missing_keys(s)
        s.commit()
    click.echo(f"Made offline keys for {count} organisations")
