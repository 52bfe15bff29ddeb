"""Backups of the database, and putting one back only when the key ring here can read it.

A backup holds what the database holds: sealed values stay ciphertext, so a backup is useless
without the key ring and the key ring is never in it. Beside FILE, FILE.meta.json records the
engine, the schema revision, a SHA-256 of FILE and the ids of the keys (never the keys), so a
restore can say at once which keys.json it needs.

* SQLite (``sqlite.py``): SQLite's online backup API copies a consistent snapshot while the
  app runs.
* PostgreSQL (``postgres.py``): ``pg_dump --format=custom``.

A restore changes nothing until it has proved that the key ring here opens the backup's
``key_check`` canary and holds every key a sealed value in the backup was sealed with
(``checks.py``; SQLite: the backup file is read in place, read-only; PostgreSQL: the archive is
restored into a scratch database ``<db>_restore_check`` first, checked there, then dropped).
Only then is the live database replaced, in one transaction: SQLite through the backup API
(readers see the old database or the new, never a mixture), PostgreSQL with
``pg_restore --clean --single-transaction``. Afterwards the schema is brought up to date, every
web session from the backup is ended (people sign in again) and a ``restore_done`` event is
audited. Events logged between the backup and the restore are gone with the rest of that
period's data: keep the audit log shipped elsewhere too.

The `rhc backup` and `rhc restore` commands (cli/backup.py) call :func:`make_backup`,
:func:`read_meta` and :func:`restore_backup`; every refusal is a :class:`BackupError`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from rhc_app.crypto import KeyRing
from rhc_app.security import audit
from rhc_app.services.backup import postgres, sqlite
from rhc_app.services.backup.checks import (
    BackupError,
    Checked,
    Refused,
    check_database,
    create_exclusive,
    remove,
    sha256,
)
from rhc_app.store.db import make_sessionmaker, utcnow

__all__ = ["BackupError", "Checked", "Made", "Refused", "engine_kind", "make_backup",
           "meta_path", "read_meta", "restore_backup", "sha256"]

META_SUFFIX = ".meta.json"
META_FORMAT = 1


@dataclass(frozen=True)
class Made:
    """What `make_backup` wrote: the file's size and the key that opens its canary."""

    kind: str
    size: int
    meta: Path
    canary_key_id: str


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + META_SUFFIX)


def engine_kind(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of a {name} database are not supported")
    return name


def make_backup(engine: Engine, ring: KeyRing, file: Path) -> Made:
    """Write a consistent copy of the database to `file` (never overwritten; mode 0600) and
    the ids of the keys it needs to its meta file; audited as ``backup_made``."""
    kind = engine_kind(engine)
    meta = meta_path(file)
    for p in (file, meta):
        if p.exists() or p.is_symlink():
            raise BackupError(f"{p} exists already: a backup never overwrites a file. "
                              "Choose a new name.")
    info = check_database(engine, ring, every_value=False)
    meta_fd = create_exclusive(meta)
    try:
        (sqlite.backup if kind == "sqlite" else postgres.backup)(engine, file)
        digest = sha256(file)
        with os.fdopen(meta_fd, "w", encoding="utf-8") as fh:
            meta_fd = -1
            json.dump({"format": META_FORMAT, "app": "rhc_app", "engine": kind,
                       "created_at": utcnow().isoformat(timespec="seconds"),
                       "schema_revision": info.revision, "key_ids": sorted(ring.keys),
                       "active_key_id": ring.active, "canary_key_id": info.canary_key_id,
                       "sha256": digest, "size": file.stat().st_size}, fh, indent=2)
    except BaseException:
        if meta_fd >= 0:
            os.close(meta_fd)
        remove(file, meta)
        raise
    with make_sessionmaker(engine, ring)() as s:
        audit.record(s, "backup_made", detail=f"{kind} sha256 {digest[:16]}")
        s.commit()
    return Made(kind, file.stat().st_size, meta, info.canary_key_id)


def read_meta(file: Path, kind: str, digest: str) -> dict[str, Any] | None:
    """The meta file beside `file`, checked against it; None if there is none."""
    meta = meta_path(file)
    if not meta.exists():
        return None
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        raise Refused(f"{meta.name} is not valid JSON: move it away to restore from the "
                      "backup file alone.") from None
    if data.get("engine") not in (None, kind):
        raise Refused(f"{file} is a {data.get('engine')} backup, but the database here is "
                      f"{kind}.")
    if data.get("sha256") not in (None, digest):
        raise Refused(f"{file} is not the file {meta.name} describes (its SHA-256 differs): it "
                      "was changed or damaged after the backup was made.")
    return data


def restore_backup(engine: Engine, ring: KeyRing, file: Path, digest: str) -> Checked:
    """Replace the database with the backup in `file`, once `ring` is shown to open it.
    Raises Refused, changing nothing, if it does not."""
    if engine_kind(engine) == "sqlite":
        info = sqlite.check(file, ring)
        sqlite.restore(engine, file, ring, digest)
    else:
        info = postgres.check(engine, file, ring)
        postgres.restore(engine, file, ring, digest)
    return info
