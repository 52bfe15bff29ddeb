"""PostgreSQL backups with PostgreSQL's own tools: ``pg_dump --format=custom``, a check in a
scratch database, then ``pg_restore --clean --single-transaction``. The only module of the app
that runs a subprocess: fixed argv lists, never a shell."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess  # PostgreSQL's own tools, fixed argv lists, never a shell
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from rhc_app.crypto import KeyRing
from rhc_app.services.backup.checks import (
    PG_MAGIC,
    SQLITE_MAGIC,
    BackupError,
    Checked,
    Refused,
    check_database,
    create_exclusive,
    file_head,
    finish_restore,
)
from rhc_app.store.db import make_engine

# A restore waits at most this long for the app's own transactions to finish, then gives up.
PG_LOCK_TIMEOUT = "60s"


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not candidates:
        raise BackupError(f"{name} was not found: install PostgreSQL's client tools "
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
        raise BackupError(f"{what} failed: " + (detail[-1] if detail else
                                                f"exit status {done.returncode}"))


def backup(engine: Engine, path: Path) -> None:
    conninfo, env = _libpq(engine.url)
    fd = create_exclusive(path)
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


def check(engine: Engine, path: Path, ring: KeyRing) -> Checked:
    """Is `path` a pg_dump archive that `ring` opens? Restored into a scratch database and
    checked there; the live database is not touched."""
    head = file_head(path)
    if head.startswith(SQLITE_MAGIC):
        raise Refused(f"{path} is a SQLite backup, but the database here is PostgreSQL.")
    if not head.startswith(PG_MAGIC):
        raise Refused(f"{path} is not an rhc_app backup (not a pg_dump custom archive).")
    _conninfo, env = _libpq(engine.url)
    try:
        _run([pg_tool("pg_restore"), "--list", str(path)], env, "reading the archive",
             stdout=subprocess.DEVNULL)
    except BackupError as exc:
        raise Refused(f"{path} cannot be read: {exc}") from None
    with _scratch_database(engine.url) as scratch:
        scratch_info, _ = _libpq(scratch)
        try:
            _run([pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
                  "--no-password", f"--dbname={scratch_info}", str(path)], env,
                 "restoring into the scratch database", stdout=subprocess.DEVNULL)
        except BackupError as exc:
            raise Refused(f"{exc}.") from None
        scratch_engine = make_engine(scratch.render_as_string(hide_password=False),
                                     poolclass=NullPool)
        try:
            return check_database(scratch_engine, ring, every_value=True)
        finally:
            scratch_engine.dispose()


def restore(engine: Engine, path: Path, ring: KeyRing, digest: str) -> None:
    conninfo, env = _libpq(engine.url)
    env["PGOPTIONS"] = f"-c lock_timeout={PG_LOCK_TIMEOUT}"
    engine.dispose()  # this process's idle connections hold nothing, but let them go
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
          "--single-transaction", "--no-password", f"--dbname={conninfo}", str(path)], env,
         "pg_restore (the database is as it was: stop the app servers if they held locks)",
         stdout=subprocess.DEVNULL)
    finish_restore(engine, ring, digest)
