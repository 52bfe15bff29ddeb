"""Attack finding 16: the SQLite database (password hashes, the audit log, every sealed
record), its WAL and SHM files and the instance folder are for the app's user only."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from rhc_app import create_app
from rhc_app.cli.instance import init
from tests.conftest import PG_URL, config_for, prepare_database
from tests.helpers_security import started
from tests.reliability_plugin import attack_refused

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite files only (PostgreSQL has none)")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The umask of a typical login shell, under which `make run` was started."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_rhc_init_creates_private_files(tmp_path, loose_umask):
    instance = tmp_path / "new-instance"
    url = f"sqlite:///{instance / 'rhc.sqlite3'}"
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "TESTING": True},
                     require_keys=False)
    try:
        result = app.test_cli_runner().invoke(init)
        assert result.exit_code == 0, result.output
        engine = app.extensions["rhc_database"].engine
        with engine.begin() as conn:  # a write, with the connection open: -wal and -shm exist
            conn.execute(text("UPDATE key_check SET id = id"))
            db_file = instance / "rhc.sqlite3"
            files = [db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")]
            assert all(f.exists() for f in files)
            modes = {f.name: oct(_mode(f)) for f in files + [instance / "keys.json"]}
        assert set(modes.values()) == {"0o600"}, modes
        assert oct(_mode(instance)) == "0o700"
    finally:
        app.extensions["rhc_database"].dispose()
    attack_refused("finding 16: rhc init makes a world-readable rhc.sqlite3 and WAL/SHM")


def test_start_up_tightens_a_world_readable_database(instance, keyring, sqlite_template,
                                                     loose_umask, caplog):
    url = prepare_database(instance, keyring, sqlite_template)
    db_file = instance / "rhc.sqlite3"
    os.chmod(db_file, 0o644)
    os.chmod(instance, 0o755)  # noqa: S103 - as the repository's instance/ folder used by `make run`
    Path(f"{db_file}-wal").touch(0o644)
    os.chmod(f"{db_file}-wal", 0o644)
    with caplog.at_level(logging.WARNING, logger="rhc_app"), started(instance, url) as app:
        assert oct(_mode(Path(f"{db_file}-wal"))) == "0o600"  # checked before SQLite opens it
        assert app.test_client().get("/sign-in").status_code == 200
        assert oct(_mode(db_file)) == "0o600"
        assert oct(_mode(instance)) == "0o700"
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "could be read by other users" in warned and "rhc.sqlite3" in warned
    attack_refused("finding 16: an existing 0644 rhc.sqlite3 in a 0755 instance/ is served")


def test_app_start_leaves_no_room_for_a_readable_new_file(instance, keyring, sqlite_template,
                                                          loose_umask):
    url = prepare_database(instance, keyring, sqlite_template)
    with started(instance, url):
        made = instance / "made-by-the-app-process.txt"
        made.write_text("x")  # any file the process creates from now on
        assert oct(_mode(made)) == "0o600"
    attack_refused("finding 16: the app process creates files readable by others")


def test_restore_writes_private_files(instance, keyring, sqlite_template, loose_umask):
    url = prepare_database(instance, keyring, sqlite_template)
    backup = instance.parent / "copy.rhcbak"
    with started(instance, url) as app:
        result = app.test_cli_runner().invoke(args=["backup", str(backup)])
        assert result.exit_code == 0, result.output
    (instance / "rhc.sqlite3").unlink()  # restoring onto a new machine: no database yet
    app = create_app(config_for(instance, url), require_keys=False)
    try:
        result = app.test_cli_runner().invoke(args=["restore", str(backup)])
        assert result.exit_code == 0, result.output
    finally:
        app.extensions["rhc_database"].dispose()
    assert oct(_mode(instance / "rhc.sqlite3")) == "0o600"
    assert oct(_mode(backup)) == "0o600"
    attack_refused("finding 16: rhc restore onto a new instance writes a readable database")
