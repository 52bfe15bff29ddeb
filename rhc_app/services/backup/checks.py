"""What every backup and restore shares: the refusals, the check of a database against the
key ring, the file helpers, and what a restore does once the data is back."""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import delete, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from rhc_app.crypto import CryptoError, KeyRing
from rhc_app.security import audit
from rhc_app.store import figures_version, links_version
from rhc_app.store.db import make_sessionmaker, sealed_fields
from rhc_app.store.migrate import alembic_config, upgrade
from rhc_app.store.models import SEALED_MODELS, KeyCheck, Organisation, WebSession

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore could not be done; the message says why and what to do."""


class Refused(BackupError):
    """The restore will not go ahead; the message says why and what to do. Nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} Nothing was changed.")


@dataclass
class Checked:
    canary_key_id: str
    revision: str | None
    key_ids_in_use: list[str]


def create_exclusive(path: Path) -> int:
    """A new file, readable by its owner only; never an existing one (O_EXCL: no race)."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} exists already: a backup never overwrites a file. "
                          "Choose a new name.") from None


def remove(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(16)


def _known_revisions(engine: Engine) -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return {r.revision for r in script.walk_revisions()}


def _canary_key_id(check: KeyCheck, ring: KeyRing) -> str:
    """The id of the key the canary was sealed with; Refused if the ring cannot open it."""
    try:
        sealed_with = ring.key_id_of(bytes(check.value_enc))
    except (IndexError, UnicodeDecodeError):
        sealed_with = "?"
    try:
        _ = check.value
    except CryptoError:
        raise Refused(
            f"the key ring here (keys {', '.join(sorted(ring.keys))}) cannot open this backup: "
            f"it was sealed with key {sealed_with}. Put the keys.json that was in use when the "
            "backup was made in the instance folder (or RHC_KEYS), then run the restore "
            "again.") from None
    return sealed_with


def _key_ids_in_use(s: Session, ring: KeyRing) -> set[str]:
    """Every key id a sealed value in the database names; Refused if one is missing."""
    used: set[str] = set()
    for model in SEALED_MODELS:
        for f in sealed_fields(model):
            column = getattr(model, f.column)
            for (blob,) in s.execute(select(column).where(column.is_not(None))):
                try:
                    used.add(ring.key_id_of(bytes(blob)))
                except (IndexError, UnicodeDecodeError):
                    raise Refused(f"the backup holds a damaged sealed value in "
                                  f"{model.__tablename__}.") from None
    missing = sorted(used - set(ring.keys))
    if missing:
        raise Refused(f"some records in the backup were sealed with key(s) "
                      f"{', '.join(missing)}, which the key ring here (keys "
                      f"{', '.join(sorted(ring.keys))}) does not hold. Use the keys.json from "
                      "when the backup was made.")
    return used


def check_database(engine: Engine, ring: KeyRing, *, every_value: bool) -> Checked:
    """Does `ring` open this database? Raises Refused (with key ids, never keys) if not."""
    tables = inspect(engine)  # before the session: on SQLite it holds the write lock
    if not tables.has_table("key_check"):
        raise Refused("the backup holds no rhc_app data (it has no key_check table).")
    has_revision = tables.has_table("alembic_version")
    with make_sessionmaker(engine, ring)() as s:
        check = s.get(KeyCheck, "canary")
        if check is None:
            raise Refused("the backup has no key check value: it was never initialised by "
                          "`rhc init`.")
        sealed_with = _canary_key_id(check, ring)
        used = _key_ids_in_use(s, ring) if every_value else set()
        revision = None
        if has_revision:
            revision = s.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if revision is not None and revision not in _known_revisions(engine):
            raise Refused(f"the backup's schema (revision {revision}) is newer than this version "
                          "of rhc_app: upgrade rhc_app first.")
    return Checked(sealed_with, revision, sorted(used))


def finish_restore(engine: Engine, ring: KeyRing, digest: str) -> None:
    """Bring the schema up to date, end the backup's web sessions, audit the restore."""
    upgrade(engine)
    with make_sessionmaker(engine, ring)() as s:
        s.execute(delete(WebSession))
        # Figures kept by running processes were counted from the data the restore replaced.
        figures_version.bump(s, s.execute(select(Organisation.id)).scalars())
        links_version.bump(s, s.execute(select(Organisation.id)).scalars())  # and connections
        audit.close_unkeyed_prefix(s)  # a backup from before the chain was keyed
        audit.record(s, "restore_done", detail=f"backup sha256 {digest[:16]}")
        s.commit()
