# ruff: noqa: E501
"""Import the standard dataset through `rhc import`, then check every cell of the quarterly
tables and the risk-factor counts, re-import idempotence, bad files and the export."""

import csv
import io
from datetime import date

from sqlalchemy import func, select

from rhc_app.store.models import Child, Episode

HEADER = ("child_ref,child_name,date_of_birth,gender,ethnicity,in_care,episode_ref,"
          "reported_missing_at,found_at,police_risk,rhc_offered_at,rhc_outcome,rhc_held_at,"
          "risk_factors")

# Financial year 2024/25. Times are UTC (Z) so the answers do not depend on the clocks.
ROWS = [
    # Q1: A twice (in care), B, C
    "A1,Ada Sampleton,2010-01-02,female,White British,yes,E1,2024-05-10T10:00Z,2024-05-11T10:00Z,high,2024-05-11T12:00Z,accepted,2024-05-12T09:00Z,criminal_activity;drug_misuse",
    "B1,Bo Sampleton,2009-03-04,male,Caribbean,no,E2,2024-05-12T10:00Z,2024-05-13T10:00Z,low,2024-05-13T12:00Z,declined,,",
    "C1,Cy Sampleton,2008-05-06,other,,no,E3,2024-06-01T10:00Z,2024-06-02T10:00Z,medium,2024-06-02T12:00Z,accepted,2024-06-05T18:00Z,criminal_activity",
    "A1,Ada Sampleton,2010-01-02,female,White British,yes,E4,2024-06-20T10:00Z,2024-06-21T10:00Z,,,,,",
    # Q2: D
    "D1,Di Sampleton,2011-07-08,female,,no,E5,2024-08-01T10:00Z,2024-08-01T20:00Z,low,2024-08-02T09:00Z,accepted,2024-08-02T10:00Z,sexual_exploitation",
    # Q3: nothing. Q4: B again, E (in care) held exactly 72 hours after found
    "B1,Bo Sampleton,2009-03-04,male,Caribbean,no,E6,2025-02-01T10:00Z,2025-02-02T10:00Z,medium,2025-02-02T11:00Z,not_completed,,",
    "E1,Eve Sampleton,2012-09-10,female,White and Asian,yes,E7,2025-02-03T10:00Z,2025-02-04T10:00Z,high,2025-02-04T12:00Z,accepted,2025-02-07T10:00Z,criminal_activity;bullied",
]

EXPECTED_ALL = [
    ["No. Missing Children", "3", "1", "0", "2", "5"],
    ["No. Missing Episodes", "4", "1", "0", "2", "7"],
    ["No. RHC Offered", "3", "1", "0", "2", "6"],
    ["RHC Accepted", "2", "1", "0", "1", "4"],
    ["% RHC Accepted", "66.7%", "100.0%", "-", "50.0%", "66.7%"],
    ["RHC Declined", "1", "0", "0", "0", "1"],
    ["RHC Within Timescale", "1", "1", "0", "1", "3"],
    ["% Within Timescale", "50.0%", "100.0%", "-", "100.0%", "75.0%"],
]
EXPECTED_IN_CARE = [
    ["No. Missing Children", "1", "0", "0", "1", "2"],
    ["No. Missing Episodes", "2", "0", "0", "1", "3"],
    ["No. RHC Offered", "1", "0", "0", "1", "2"],
    ["RHC Accepted", "1", "0", "0", "1", "2"],
    ["% RHC Accepted", "100.0%", "-", "-", "100.0%", "100.0%"],
    ["RHC Declined", "0", "0", "0", "0", "0"],
    ["RHC Within Timescale", "1", "0", "0", "1", "2"],
    ["% Within Timescale", "100.0%", "-", "-", "100.0%", "100.0%"],
]


def _file(tmp_path, rows, name="episodes.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def _csv(text):
    return list(csv.reader(io.StringIO(text)))


def test_import_then_every_cell_of_both_tables(world, runner, db, tmp_path):
    r = runner.invoke(args=["import", "episodes", _file(tmp_path, ROWS), "--org", "north"])
    assert r.exit_code == 0, r.output
    for cohort, expected in (("all", EXPECTED_ALL), ("in-care", EXPECTED_IN_CARE)):
        r = runner.invoke(args=["report", "quarterly", "--org", "north", "--year", "2024",
                                "--cohort", cohort, "--format", "csv"])
        assert r.exit_code == 0, r.output
        table = _csv(r.output)
        assert table[0] == ["measure", "Q1", "Q2", "Q3", "Q4", "Total"]
        assert table[1:] == expected, cohort
    r = runner.invoke(args=["report", "risk-factors", "--org", "north", "--from", "2024-04-01",
                            "--to", "2025-03-31", "--format", "csv"])
    rows = _csv(r.output)
    assert rows[0] == ["code", "label", "count"]
    assert [(c, n) for c, _, n in rows[1:]] == [("criminal_activity", "3"), ("bullied", "1"),
                                               ("drug_misuse", "1"), ("sexual_exploitation", "1")]
    # Other organisations see none of it
    r = runner.invoke(args=["report", "quarterly", "--org", "south", "--year", "2024",
                            "--format", "csv"])
    assert _csv(r.output)[2] == ["No. Missing Episodes", "0", "0", "0", "0", "0"]


def test_reimport_changes_nothing_and_a_changed_row_updates(world, runner, db, tmp_path):
    path = _file(tmp_path, ROWS)
    assert runner.invoke(args=["import", "episodes", path, "--org", "north"]).exit_code == 0
    r = runner.invoke(args=["import", "episodes", path, "--org", "north"])
    assert "0 children added" in r.output and "0 episodes added" in r.output
    assert "7 unchanged" in r.output
    changed = list(ROWS)
    changed[1] = changed[1].replace(",declined,", ",accepted,").rstrip(",") + \
        ",2024-05-13T15:00Z,"
    r = runner.invoke(args=["import", "episodes", _file(tmp_path, changed, "b.csv"), "--org",
                            "north"])
    assert r.exit_code == 0, r.output
    assert "1 updated" in r.output
    assert db.scalar(select(func.count()).select_from(Episode)) == 7
    assert db.scalar(select(func.count()).select_from(Child)) == 5


def test_bad_file_imports_nothing_and_lists_every_error(world, runner, db, tmp_path):
    bad = list(ROWS)
    bad[0] = bad[0].replace("2010-01-02", "2010-02-30")
    bad[2] = bad[2].replace("criminal_activity", "not_a_code")
    bad.append(bad[3])  # duplicate episode_ref E4
    r = runner.invoke(args=["import", "episodes", _file(tmp_path, bad), "--org", "north"])
    assert r.exit_code != 0
    assert "line 2, date_of_birth" in r.output
    assert "line 4, risk_factors" in r.output
    assert "line 9, episode_ref" in r.output
    assert "nothing was imported" in r.output
    assert db.scalar(select(func.count()).select_from(Episode)) == 0


def test_junk_and_wrong_encoding(world, runner, db, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 400)
    r = runner.invoke(args=["import", "episodes", str(junk), "--org", "north"])
    assert r.exit_code != 0 and "UTF-8" in r.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\n" + ROWS[0].replace("Ada", "Zoë")).encode("latin-1"))
    r = runner.invoke(args=["import", "episodes", str(latin), "--org", "north"])
    assert r.exit_code != 0
    assert db.scalar(select(func.count()).select_from(Episode)) == 0


def test_export_is_pseudonymised(world, runner, db, tmp_path):
    runner.invoke(args=["import", "episodes", _file(tmp_path, ROWS), "--org", "north"])
    r = runner.invoke(args=["export", "dataset", "--org", "north", "--from", "2024-04-01",
                            "--to", "2025-03-31"])
    assert r.exit_code == 0, r.output
    rows = _csv(r.output)
    assert "child_name" not in rows[0] and "date_of_birth" not in rows[0]
    assert len(rows) == 8
    body = r.output
    for secret in ("Sampleton", "2010-01-02", ",A1,", ",E1,", "E4"):
        assert secret not in body
    refs = [row[0] for row in rows[1:]]
    assert refs[0] == refs[3]  # the same child keeps the same pseudonym


def test_database_counts_equal_the_reference_definition(world, db):
    """The quarterly table counted by the database matches domain.figures on varied data:
    quarter edges in UK time, held just inside and just outside 72 hours, repeat children."""
    import random
    from datetime import UTC, datetime, timedelta

    from rhc_app.domain import figures
    from rhc_app.domain.dataset import DatasetRow
    from rhc_app.services import datasets

    rng = random.Random(20241)
    org = world.orgs["north"].org
    edges = [datetime(2024, 3, 31, 22, 59, tzinfo=UTC), datetime(2024, 3, 31, 23, 0, tzinfo=UTC),
             datetime(2024, 6, 30, 23, 0, tzinfo=UTC), datetime(2024, 12, 31, 23, 59, tzinfo=UTC),
             datetime(2025, 1, 1, 0, 0, tzinfo=UTC), datetime(2025, 3, 31, 22, 59, tzinfo=UTC)]
    rows = []
    for i in range(400):
        reported = edges[i] if i < len(edges) else \
            datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 60 * 24 * 500))
        found = None if rng.random() < 0.1 else reported + timedelta(hours=rng.randint(1, 30))
        outcome = rng.choice([None, "accepted", "accepted", "declined", "not_completed"])
        held = None
        if outcome == "accepted":
            gap = rng.choice([timedelta(hours=72), timedelta(hours=72, minutes=1),
                              timedelta(hours=71, minutes=59), timedelta(hours=rng.randint(1, 200))])
            held = (found or reported) + gap
        rows.append(DatasetRow(
            child_ref=f"R{rng.randint(1, 120)}", child_name=None, date_of_birth=None, gender=None,
            ethnicity=None, in_care=rng.random() < 0.4, episode_ref=f"EP{i}",
            reported_missing_at=reported, found_at=found, police_risk=None,
            rhc_offered_at=None if outcome is None and rng.random() < 0.5 else reported + timedelta(hours=31),
            rhc_outcome=outcome, rhc_held_at=held))
    datasets.import_rows(db, db.info["keyring"], org, rows)
    db.commit()
    for year in (2023, 2024, 2025):
        facts = datasets.facts(db, org, date(year, 4, 1), date(year + 1, 3, 31))
        counted = datasets.quarterly_tables(db, org, year)
        for cohort in ("all", "in-care"):
            expected = figures.quarterly_table(facts, year, cohort).as_rows()
            assert counted[cohort].as_rows() == expected, (year, cohort)
