"""`rhc backup FILE` and `rhc restore FILE`: a consistent copy of the database, and putting one
back only when the key ring here can read it.

A backup holds what the database holds: sealed values stay ciphertext, so a backup is useless
without the key ring and the key ring is never in it. Beside FILE, FILE.meta.json records the
engine, the schema revision, a SHA-256 of FILE and the ids of the keys (never the keys), so a
restore can say at once which keys.json it needs.

* SQLite: SQLite's online backup API copies a consistent snapshot while the app runs.
* PostgreSQL: ``pg_dump --format=custom``.

A restore changes nothing until it has proved that the key ring here opens the backup's
``key_check`` canary and holds every key a sealed value in the backup was sealed with (SQLite:
the backup file is read in place, read-only; PostgreSQL: the archive is restored into a scratch
database ``<db>_restore_check`` first, checked there, then dropped). Only then is the live
database replaced, in one transaction: SQLite through the backup API (readers see the old
database or the new, never a mixture), PostgreSQL with ``pg_restore --clean --single-transaction``.
Afterwards the schema is brought up to date, every web session from the backup is ended (people
sign in again) and a ``restore_done`` event is audited. Events logged between the backup and the
restore are gone with the rest of that period's data: keep the audit log shipped elsewhere too.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess  # PostgreSQL's own tools, fixed argv lists, never a shell
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import create_engine, delete, inspect, select, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from rhc_app.cli.common import database
from rhc_app.crypto import CryptoError, KeyRing
from rhc_app.security import audit
from rhc_app.store.db import make_engine, make_sessionmaker, sealed_fields, utcnow
from rhc_app.store.migrate import alembic_config, upgrade
from rhc_app.store.models import SEALED_MODELS, KeyCheck, WebSession

META_SUFFIX = ".meta.json"
META_FORMAT = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# A restore waits at most this long for the app's own transactions to finish, then gives up.
PG_LOCK_TIMEOUT = "60s"


def register(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)


class Refused(click.ClickException):
    """The restore will not go ahead; the message says why and what to do. Nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} Nothing was changed.")


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + META_SUFFIX)


def _ring() -> KeyRing:
    ring = database().keyring
    if ring is None:
        raise click.ClickException("no encryption key ring here (instance/keys.json or RHC_KEYS): "
                                   "restore the keys.json that goes with the data first")
    return ring


def _engine_kind(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise click.ClickException(f"backups of a {name} database are not supported")
    return name


def _create_exclusive(path: Path) -> int:
    """A new file, readable by its owner only; never an existing one (O_EXCL: no race)."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{path} exists already: a backup never overwrites a file. "
                                   "Choose a new name.") from None


def _remove(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- what a database holds, checked against the key ring -------------------------------------
@dataclass
class Checked:
    canary_key_id: str
    revision: str | None
    key_ids_in_use: list[str]


def _known_revisions(engine: Engine) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(engine))
    return {r.revision for r in script.walk_revisions()}


def check_database(engine: Engine, ring: KeyRing, *, every_value: bool) -> Checked:
    """Does `ring` open this database? Raises Refused (with key ids, never keys) if not."""
    ids = ", ".join(sorted(ring.keys))
    tables = inspect(engine)  # before the session: on SQLite it holds the write lock
    if not tables.has_table("key_check"):
        raise Refused("the backup holds no rhc_app data (it has no key_check table).")
    has_revision = tables.has_table("alembic_version")
    with make_sessionmaker(engine, ring)() as s:
        check = s.get(KeyCheck, "canary")
        if check is None:
            raise Refused("the backup has no key check value: it was never initialised by "
                          "`rhc init`.")
        try:
            sealed_with = ring.key_id_of(bytes(check.value_enc))
        except (IndexError, UnicodeDecodeError):
            sealed_with = "?"
        try:
            _ = check.value
        except CryptoError:
            raise Refused(
                f"the key ring here (keys {ids}) cannot open this backup: it was sealed with key "
                f"{sealed_with}. Put the keys.json that was in use when the backup was made in "
                "the instance folder (or RHC_KEYS), then run the restore again.") from None
        used: set[str] = set()
        if every_value:
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
                              f"{', '.join(missing)}, which the key ring here (keys {ids}) does "
                              "not hold. Use the keys.json from when the backup was made.")
        revision = None
        if has_revision:
            revision = s.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if revision is not None and revision not in _known_revisions(engine):
            raise Refused(f"the backup's schema (revision {revision}) is newer than this version "
                          "of rhc_app: upgrade rhc_app first.")
    return Checked(sealed_with, revision, sorted(used))


def _finish_restore(engine: Engine, ring: KeyRing, digest: str) -> None:
    """Bring the schema up to date, end the backup's web sessions, audit the restore."""
    upgrade(engine)
    with make_sessionmaker(engine, ring)() as s:
        s.execute(delete(WebSession))
        audit.close_unkeyed_prefix(s)  # a backup from before the chain was keyed
        audit.record(s, "restore_done", detail=f"backup sha256 {digest[:16]}")
        s.commit()


# -- SQLite ---------------------------------------------------------------------------------
def _sqlite_file(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise click.ClickException("only a SQLite database in a file can be backed up")
    return Path(name)


def _open_read_only(path: Path) -> sqlite3.Connection:
    # immutable: SQLite takes no locks and writes nothing (no -wal or -shm) beside the backup.
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)


def _read_only_engine(path: Path) -> Engine:
    return create_engine("sqlite://", creator=lambda: _open_read_only(path), poolclass=NullPool)


def _sqlite_backup(engine: Engine, path: Path) -> None:
    os.close(_create_exclusive(path))
    with contextlib.closing(sqlite3.connect(path)) as dest:
        raw = engine.raw_connection()
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
        finally:
            raw.close()
        # One self-contained file: no -wal beside it, whatever the live database uses.
        dest.execute("PRAGMA journal_mode=DELETE")
        ok = dest.execute("PRAGMA quick_check").fetchone()
    if not ok or ok[0] != "ok":
        raise click.ClickException("the copy failed its integrity check")


def _sqlite_check(path: Path, ring: KeyRing) -> Checked:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(PG_MAGIC):
        raise Refused(f"{path} is a PostgreSQL backup, but the database here is SQLite.")
    if head != SQLITE_MAGIC:
        raise Refused(f"{path} is not an rhc_app backup (not a SQLite database).")
    try:
        with contextlib.closing(_open_read_only(path)) as conn:
            ok = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise Refused(f"{path} cannot be read as a SQLite database ({exc}).") from None
    if not ok or ok[0] != "ok":
        raise Refused(f"{path} is damaged (SQLite integrity check: {ok[0] if ok else '?'}).")
    engine = _read_only_engine(path)
    try:
        return check_database(engine, ring, every_value=True)
    except DBAPIError as exc:
        raise Refused(f"{path} does not hold rhc_app data as expected "
                      f"({type(exc.orig).__name__}).") from None
    finally:
        engine.dispose()


def _sqlite_restore(engine: Engine, path: Path, ring: KeyRing, digest: str) -> None:
    live = _sqlite_file(engine)
    # Prepared beside the live file (same file system, same permissions), then copied in.
    staged = live.with_name(f".{live.name}.restore-{secrets.token_hex(4)}")
    os.close(_create_exclusive(staged))
    try:
        with contextlib.closing(_open_read_only(path)) as src, \
                contextlib.closing(sqlite3.connect(staged)) as dest:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")
            live_page = _page_size(engine)
            if dest.execute("PRAGMA page_size").fetchone()[0] != live_page:
                # The backup API cannot change the page size of a database in WAL mode.
                dest.execute(f"PRAGMA page_size={int(live_page)}")
                dest.execute("VACUUM")
        staged_engine = make_engine(f"sqlite:///{staged}", poolclass=NullPool)
        try:
            _finish_restore(staged_engine, ring, digest)
        finally:
            staged_engine.dispose()
        # One write transaction on the live database: readers see the old or the new, and
        # other processes (gunicorn workers) may keep it open throughout.
        with contextlib.closing(sqlite3.connect(staged)) as src:
            raw = engine.raw_connection()
            try:
                src.backup(raw.driver_connection)  # type: ignore[arg-type]
            finally:
                raw.close()
        engine.dispose()
    finally:
        _remove(staged, Path(f"{staged}-wal"), Path(f"{staged}-shm"), Path(f"{staged}-journal"))


def _page_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())


# -- PostgreSQL -----------------------------------------------------------------------------
def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not candidates:
        raise click.ClickException(f"{name} was not found: install PostgreSQL's client tools "
                                   "(Debian: postgresql-client)")
    return candidates[-1]


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """postgresql+psycopg://… as the postgresql://… libpq tools take; the password goes in the
    environment (PGPASSWORD), never on a command line other users can see."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str], what: str, **kwargs: Any) -> None:
    done = subprocess.run(argv, env=env, stderr=subprocess.PIPE, check=False, **kwargs)  # noqa: S603 - fixed argv
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise click.ClickException(f"{what} failed: " + (detail[-1] if detail else
                                                         f"exit status {done.returncode}"))


def _pg_backup(engine: Engine, path: Path) -> None:
    conninfo, env = _libpq(engine.url)
    fd = _create_exclusive(path)
    with os.fdopen(fd, "wb") as out:
        _run([pg_tool("pg_dump"), "--format=custom", "--no-password", f"--dbname={conninfo}"],
             env, "pg_dump", stdout=out)


def _scratch_name(live: str) -> str:
    suffix = "_restore_check"
    return live[: 63 - len(suffix)] + suffix  # PostgreSQL names are at most 63 bytes


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextlib.contextmanager
def _scratch_database(url: URL) -> Iterator[URL]:
    name = _scratch_name(url.database or "postgres")
    admin = make_engine(url.render_as_string(hide_password=False), poolclass=NullPool,
                        isolation_level="AUTOCOMMIT")
    try:
        try:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {_quote(name)}"))
        except DBAPIError as exc:
            raise Refused(f"could not create the scratch database {name} to check the backup "
                          f"in ({type(exc.orig).__name__}): the database user needs the "
                          "CREATEDB privilege.") from None
        try:
            yield url.set(database=name)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)"))
    finally:
        admin.dispose()


def _pg_check(engine: Engine, path: Path, ring: KeyRing) -> Checked:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        raise Refused(f"{path} is a SQLite backup, but the database here is PostgreSQL.")
    if not head.startswith(PG_MAGIC):
        raise Refused(f"{path} is not an rhc_app backup (not a pg_dump custom archive).")
    conninfo, env = _libpq(engine.url)
    try:
        _run([pg_tool("pg_restore"), "--list", str(path)], env, "reading the archive",
             stdout=subprocess.DEVNULL)
    except click.ClickException as exc:
        raise Refused(f"{path} cannot be read: {exc.message}") from None
    with _scratch_database(engine.url) as scratch:
        scratch_info, _ = _libpq(scratch)
        try:
            _run([pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
                  "--no-password", f"--dbname={scratch_info}", str(path)], env,
                 "restoring into the scratch database", stdout=subprocess.DEVNULL)
        except click.ClickException as exc:
            raise Refused(exc.message + ".") from None
        scratch_engine = make_engine(scratch.render_as_string(hide_password=False),
                                     poolclass=NullPool)
        try:
            return check_database(scratch_engine, ring, every_value=True)
        finally:
            scratch_engine.dispose()


def _pg_restore(engine: Engine, path: Path, ring: KeyRing, digest: str) -> None:
    conninfo, env = _libpq(engine.url)
    env["PGOPTIONS"] = f"-c lock_timeout={PG_LOCK_TIMEOUT}"
    engine.dispose()  # this process's idle connections hold nothing, but let them go
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
          "--single-transaction", "--no-password", f"--dbname={conninfo}", str(path)], env,
         "pg_restore (the database is as it was: stop the app servers if they held locks)",
         stdout=subprocess.DEVNULL)
    _finish_restore(engine, ring, digest)


# -- the commands ---------------------------------------------------------------------------
@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(file: Path) -> None:
    """Write a consistent copy of the database to FILE (never overwritten; mode 0600), and the
    ids of the keys it needs to FILE.meta.json."""
    ring = _ring()
    engine = database().engine
    kind = _engine_kind(engine)
    meta = meta_path(file)
    for p in (file, meta):
        if p.exists() or p.is_symlink():
            raise click.ClickException(f"{p} exists already: a backup never overwrites a file. "
                                       "Choose a new name.")
    info = check_database(engine, ring, every_value=False)
    meta_fd = _create_exclusive(meta)
    try:
        if kind == "sqlite":
            _sqlite_backup(engine, file)
        else:
            _pg_backup(engine, file)
        digest = _sha256(file)
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
        _remove(file, meta)
        raise
    with make_sessionmaker(engine, ring)() as s:
        audit.record(s, "backup_made", detail=f"{kind} sha256 {digest[:16]}")
        s.commit()
    click.echo(f"Backed up the {kind} database to {file} ({file.stat().st_size:,} bytes, mode "
               f"0600) and its key ids to {meta.name}. It can be read only with the key ring "
               f"holding key {info.canary_key_id}: back up keys.json separately.")


def _read_meta(file: Path, kind: str, digest: str) -> dict[str, Any] | None:
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


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore(file: Path) -> None:
    """Replace the database with the backup in FILE, once the key ring here is shown to open
    it. Refuses, changing nothing, if it does not."""
    ring = _ring()
    engine = database().engine
    kind = _engine_kind(engine)
    digest = _sha256(file)
    meta = _read_meta(file, kind, digest)
    if meta is None:
        click.echo(f"No {meta_path(file).name} beside the backup: checking the backup itself.",
                   err=True)
    if kind == "sqlite":
        info = _sqlite_check(file, ring)
        _sqlite_restore(engine, file, ring, digest)
    else:
        info = _pg_check(engine, file, ring)
        _pg_restore(engine, file, ring, digest)
    made = f" made {meta['created_at']}" if meta and meta.get("created_at") else ""
    click.echo(f"Restored the {kind} database from {file}{made} (schema revision "
               f"{info.revision}, keys in use: {', '.join(info.key_ids_in_use) or 'none'}). "
               "Everyone signed in must sign in again.")
