"""Issue 14: the import in bounded memory. The file is checked in one pass and written in a
second, a batch at a time, holding no more than a batch of rows; what it writes is what a
one-batch import writes; progress is reported; a file that changes between the passes, or a
bad row in the last batch, changes nothing."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import threading
from typing import Any

import pytest
from sqlalchemy import event, func, select

from rhc_app.cli import data as cli_data
from rhc_app.domain.dataset import DatasetRow
from rhc_app.services import dataset_import, datasets
from rhc_app.services.errors import CaseworkError
from rhc_app.store.db import make_engine, make_sessionmaker
from rhc_app.store.models import AuditEvent, Child, Conversation, Episode, Organisation
from tests.services.test_import_reports import HEADER, ROWS, _file

# Invented rows for six children, a few of them in many episodes.
MANY = [f"K{i % 6},Kit Sampleton {i % 6},2010-01-0{1 + i % 6},female,Indian,"
        f"{'yes' if i % 2 else 'no'},M{i},2024-05-{1 + i:02d}T10:00Z,2024-05-{2 + i:02d}T10:00Z,"
        f"low,2024-05-{2 + i:02d}T12:00Z,accepted,2024-05-{3 + i:02d}T09:00Z,drug_misuse"
        for i in range(20)]


def _org(db: Any, world: Any) -> Organisation:
    return db.get(Organisation, world.orgs["north"].org.id)


def _snapshot(db: Any) -> list[tuple]:
    """Everything the import writes, opened (a wrongly bound seal would fail to open)."""
    db.expire_all()
    children = sorted((c.case_reference, c.name, c.date_of_birth, c.gender, c.ethnicity,
                       c.in_care) for c in db.scalars(select(Child)))
    ref_of = {c.id: c.case_reference for c in db.scalars(select(Child))}
    episodes = sorted((e.episode_ref, ref_of[e.child_id], e.reported_missing_at, e.found_at,
                       e.in_care, e.missing_from, e.conversation.status, e.conversation.held_at,
                       e.conversation.risk_factors, e.conversation.canvas["details"]["late_reason"])
                      for e in db.scalars(select(Episode)))
    return children + episodes


@pytest.fixture
def tx(app):  # type: ignore[no-untyped-def]
    """A session in one transaction, as the command's and the upload page's are (the `db`
    fixture's commits each statement on SQLite, so it cannot show a rollback)."""
    database = app.extensions["rhc_database"]
    engine = make_engine(database.url)
    session = make_sessionmaker(engine, database.keyring)()
    yield session
    session.close()
    engine.dispose()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataset_import, "BATCH", 3)


def test_batches_write_what_one_batch_writes_and_again_nothing(world, tx, monkeypatch):
    db = tx
    org = _org(db, world)
    data = (HEADER + "\n" + "\n".join(MANY + ROWS) + "\n").encode()
    errors, summary = datasets.import_file(db, db.info["keyring"], org, data)
    assert errors == [] and summary is not None
    one_batch = _snapshot(db)
    db.rollback()
    monkeypatch.setattr(dataset_import, "BATCH", 3)
    errors, summary = datasets.import_file(db, db.info["keyring"], org, data)
    db.commit()
    assert summary.text() == ("27 rows: 11 children added, 0 updated; 27 episodes added, "
                              "0 updated; 0 unchanged")
    assert _snapshot(db) == one_batch
    assert db.scalar(select(func.count()).select_from(Child)) == 11  # K0..K5 once each
    _errors, again = datasets.import_file(db, db.info["keyring"], org, data)
    assert again.unchanged == 27 and again.children_updated == 0


def test_no_more_than_a_batch_of_rows_is_held(world, db, monkeypatch, small_batches):
    org = _org(db, world)
    held: list[int] = []
    write = dataset_import._Writer._write

    def counting(self: Any, batch: Any, *args: Any) -> None:
        gc.collect()
        held.append(sum(isinstance(o, DatasetRow) for o in gc.get_objects()))
        write(self, batch, *args)

    monkeypatch.setattr(dataset_import._Writer, "_write", counting)
    reads: list[int] = []

    class Counted(io.BytesIO):
        def seek(self, *args: Any) -> int:
            if args == (0,):
                reads.append(1)
            return super().seek(*args)

    data = (HEADER + "\n" + "\n".join(MANY) + "\n").encode()
    errors, _summary = datasets.import_file(db, db.info["keyring"], org, Counted(data))
    assert errors == []
    # 20 rows in batches of 3: a batch, and the row that starts the next, never the file
    assert len(held) == 7 and max(held) <= 5
    assert len(reads) == 2  # read twice: checked, then written


def test_existing_rows_are_looked_up_a_batch_at_a_time(world, db, small_batches):
    org = _org(db, world)
    data = (HEADER + "\n" + "\n".join(MANY) + "\n").encode()
    datasets.import_file(db, db.info["keyring"], org, data)
    selects: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM episode" in statement:
            selects.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        datasets.import_file(db, db.info["keyring"], org, data)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(selects) == 7  # one per batch of 3, not one per row


def test_a_bad_row_in_the_last_batch_changes_nothing(world, db, small_batches):
    org = _org(db, world)
    bad = [*MANY[:-1], MANY[-1].replace("2024-05-20T10:00Z", "2024-05-20")]
    data = (HEADER + "\n" + "\n".join(bad) + "\n").encode()
    errors, summary = datasets.import_file(db, db.info["keyring"], org, data)
    assert summary is None
    assert [(e.line, e.column) for e in errors] == [(21, "reported_missing_at")]
    assert db.scalar(select(func.count()).select_from(Episode)) == 0


def test_a_file_changed_between_the_passes_changes_nothing(world, tx, small_batches):
    db = tx
    org = _org(db, world)
    good = (HEADER + "\n" + "\n".join(MANY) + "\n").encode()
    bad = good.replace(b"M19,2024-05-20T10:00Z", b"M19,2024-05-20")

    class Changing(io.BytesIO):
        passes = 0

        def seek(self, *args: Any) -> int:
            if args == (0,):
                self.passes += 1
                if self.passes == 2:  # the second pass reads another file
                    self.truncate(0)
                    self.write(bad)
            return super().seek(*args)

    with pytest.raises(CaseworkError, match="changed"):
        datasets.import_file(db, db.info["keyring"], org, Changing(good))
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Episode)) == 0
    assert db.scalar(select(func.count()).select_from(Conversation)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "dataset_imported")) == 0


def test_progress_lines_when_not_on_a_terminal(world, runner, tmp_path, monkeypatch,
                                               small_batches):
    monkeypatch.setattr(cli_data, "PROGRESS_EVERY", 6)
    r = runner.invoke(args=["import", "episodes", _file(tmp_path, MANY), "--org", "north"])
    assert r.exit_code == 0, r.output
    lines = [x for x in r.output.splitlines() if x.endswith(" rows")]
    assert lines == ["Checked 6 rows", "Checked 12 rows", "Checked 18 rows",
                     "Imported 6 of 20 rows", "Imported 12 of 20 rows",
                     "Imported 18 of 20 rows", "Imported 20 of 20 rows"]
    assert "Imported 20 rows: 6 children added" in r.output


def test_a_bar_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    with cli_data._Progress() as progress:
        assert progress.terminal
        for n in (1000, 2000):
            progress("checked", n, None)
        for n in (1000, 2000, 2500):
            progress("imported", n, 2500)
    err = capsys.readouterr().err
    assert err.count("Checking every row") == 1
    assert "Importing" in err and "Imported" not in err


def test_a_pipe_is_refused_as_it_cannot_be_read_twice(world, runner, db, tmp_path):
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as fh:  # closing flushes
            fh.write((HEADER + "\n" + "\n".join(MANY) + "\n").encode())  # refused unread

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    r = runner.invoke(args=["import", "episodes", str(fifo), "--org", "north"])
    writer.join(timeout=10)
    assert r.exit_code != 0 and "not a pipe" in r.output
    assert db.scalar(select(func.count()).select_from(Episode)) == 0
