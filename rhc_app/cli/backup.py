"""`rhc backup FILE` and `rhc restore FILE`: a consistent copy of the database, and putting one
back only when the key ring here can read it. The mechanics, and what is checked before
anything changes, are in services/backup/; these commands print the answer, or the refusal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from rhc_app.cli.common import database
from rhc_app.crypto import KeyRing
from rhc_app.services import backup as backups


def register(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)


@contextmanager
def _refusals() -> Iterator[None]:
    """A backup's refusal as the command's error message on stderr, exit status 1."""
    try:
        yield
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None


def _ring() -> KeyRing:
    ring = database().keyring
    if ring is None:
        raise click.ClickException("no encryption key ring here (instance/keys.json or RHC_KEYS): "
                                   "restore the keys.json that goes with the data first")
    return ring


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(file: Path) -> None:
    """Write a consistent copy of the database to FILE (never overwritten; mode 0600), and the
    ids of the keys it needs to FILE.meta.json."""
    ring = _ring()
    with _refusals():
        made = backups.make_backup(database().engine, ring, file)
    click.echo(f"Backed up the {made.kind} database to {file} ({made.size:,} bytes, mode "
               f"0600) and its key ids to {made.meta.name}. It can be read only with the key "
               f"ring holding key {made.canary_key_id}: back up keys.json separately.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore(file: Path) -> None:
    """Replace the database with the backup in FILE, once the key ring here is shown to open
    it. Refuses, changing nothing, if it does not."""
    ring = _ring()
    engine = database().engine
    with _refusals():
        kind = backups.engine_kind(engine)
        digest = backups.sha256(file)
        meta = backups.read_meta(file, kind, digest)
        if meta is None:
            click.echo(f"No {backups.meta_path(file).name} beside the backup: checking the "
                       "backup itself.", err=True)
        info = backups.restore_backup(engine, ring, file, digest)
    made = f" made {meta['created_at']}" if meta and meta.get("created_at") else ""
    click.echo(f"Restored the {kind} database from {file}{made} (schema revision "
               f"{info.revision}, keys in use: {', '.join(info.key_ids_in_use) or 'none'}). "
               "Everyone signed in must sign in again.")
