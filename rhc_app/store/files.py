"""The instance folder and the SQLite files are for the app's own user only.

The database holds password hashes, the audit log and every sealed record; with a 0644 file
any local account could copy it (and with the key ring's backup, read it). The process runs
under umask 077, so whatever it creates (the database, its -wal and -shm files, a restored
copy) is 0600 and its folders 0700. At start-up, files made before that (an old `make run`
checkout, a file copied in by hand) are tightened, with a warning saying so: tightening only
takes access away, and refusing to start would break every existing instance for nothing. If
they cannot be tightened (owned by another user), the app refuses to start instead.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
FOLDER_MODE = 0o700
SIDE_FILES = ("-wal", "-shm", "-journal")

log = logging.getLogger("rhc_app")


class NotPrivate(Exception):
    """A database file others can read, which this process cannot make private."""


def use_private_umask() -> None:
    os.umask(PRIVATE_UMASK)


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:" \
            or name.startswith("file:"):
        return None
    return Path(name)


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if not current & 0o077:
        return
    try:
        os.chmod(path, current & ~0o077)
    except PermissionError:
        raise NotPrivate(f"{path} can be read by other users (mode {current:o}) and this user "
                         f"cannot change that: as its owner, run chmod {mode:o} {path}") from None
    # The path names a file of the app's, never a person: safe to log.
    log.warning("%s could be read by other users (mode %o): now %o", path, current,
                current & ~0o077)


def secure_instance(instance: Path, url: str) -> None:
    """Tighten the instance folder (if it is this user's) and the SQLite files; create a
    missing SQLite file empty, 0600, so SQLite never creates it with its own default mode."""
    if instance.is_dir() and instance.stat().st_uid == os.geteuid():
        _tighten(instance, FOLDER_MODE)
    path = sqlite_file(url)
    if path is None:
        return
    if not path.exists() and path.parent.is_dir():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        except FileExistsError:
            pass  # another worker made it first: checked below
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)):
        _tighten(candidate, FILE_MODE)
