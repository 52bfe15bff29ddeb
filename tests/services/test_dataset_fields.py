"""Issue 17's columns in the standard dataset: optional (older files import as before), each
checked, imported into the child and the conversation, and written to the partner export;
and the quarterly figures filtered by a child's placing or host council."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from rhc_app.domain.dataset import OPTIONAL_COLUMNS, export_dataset
from rhc_app.services import datasets, field_figures
from rhc_app.store.models import Child, Conversation, Organisation
from tests.services.test_dataset import GOOD, HEADER, line, parse

FIELDS = {"placing_authority": "Harrow", "host_area": "  Gateshead ",
          "late_reason": "child_missing_again", "holder_role": "provider_worker",
          "held_by_independent": "yes"}
WIDE = HEADER + "," + ",".join(OPTIONAL_COLUMNS)


def wide(**changes: str) -> str:
    values = {**FIELDS, **changes}
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values[c] for c in OPTIONAL_COLUMNS)
    return line(**{k: v for k, v in changes.items() if k in GOOD}) + "," + out.getvalue()


def test_an_older_file_without_the_columns_still_imports():
    result = parse(line())
    assert result.ok
    row = result.rows[0]
    assert (row.placing_authority, row.late_reason, row.held_by_independent) == (None,) * 3


def test_the_columns_are_read_and_tidied():
    result = parse(wide(), header=WIDE)
    assert result.ok, result.errors
    row = result.rows[0]
    assert (row.placing_authority, row.host_area) == ("Harrow", "Gateshead")
    assert (row.late_reason, row.holder_role, row.held_by_independent) == (
        "child_missing_again", "provider_worker", True)


def test_each_column_is_checked():
    result = parse(wide(late_reason="lost_paperwork", holder_role="judge",
                        held_by_independent="perhaps", placing_authority="x" * 101),
                   wide(episode_ref="E2", rhc_outcome="declined", rhc_held_at=""),
                   header=WIDE)
    errors = [str(e) for e in result.errors]
    assert errors == [
        "Line 2, placing_authority: placing_authority is longer than 100 characters",
        "Line 2, late_reason: late_reason 'lost_paperwork' is not one of: "
        "notification_arrived_late, child_missing_again, child_not_available, "
        "worker_not_available, other",
        "Line 2, holder_role: holder_role 'judge' is not one of: missing_worker, "
        "provider_worker, social_worker, early_help_worker, youth_worker, other",
        "Line 2, held_by_independent: held_by_independent 'perhaps' is not one of: yes, no",
        "Line 3, held_by_independent: held_by_independent needs rhc_held_at: it says who held "
        "the conversation",
    ]


def test_an_organisations_own_late_reasons_are_the_ones_accepted():
    own = {"bank_holiday": "Bank holiday", "other": "Other"}
    assert parse(wide(late_reason="bank_holiday"), header=WIDE, late_reasons=own).ok
    assert not parse(wide(), header=WIDE, late_reasons=own).ok


def test_import_keeps_them_and_an_empty_cell_changes_nothing(world, db):
    org = db.get(Organisation, world.orgs["north"].org.id)
    ring = db.info["keyring"]
    rows = parse(wide(), header=WIDE).rows
    datasets.import_rows(db, ring, org, rows)
    db.commit()
    child = db.execute(select(Child).where(Child.organisation_id == org.id)).scalar_one()
    conv = db.execute(select(Conversation).where(Conversation.organisation_id == org.id)
                      ).scalar_one()
    assert (child.placing_authority, child.host_area) == ("Harrow", "Gateshead")
    assert (conv.late_reason, conv.holder_role, conv.holder_independent) == (
        "child_missing_again", "provider_worker", True)
    assert conv.canvas["details"]["holder_independent"] == "yes"  # a canvas save keeps it
    summary = datasets.import_rows(db, ring, org, parse(line()).rows)  # an older file
    db.commit()
    db.expire_all()
    assert summary.unchanged == 1
    assert db.get(Conversation, conv.id).late_reason == "child_missing_again"
    exported = export_dataset(datasets.export_rows(db, org, date(2024, 4, 1), date(2024, 4, 30)),
                              lambda kind, ref: f"{kind}-x", date(2025, 1, 1))
    record = dict(zip(*csv.reader(io.StringIO(exported)), strict=True))
    assert {k: record[k] for k in OPTIONAL_COLUMNS} == {**FIELDS, "host_area": "Gateshead"}


def test_quarterly_figures_filtered_by_council(world, db):
    org = db.get(Organisation, world.orgs["north"].org.id)
    ring = db.info["keyring"]
    rows = parse(wide(),
                 wide(child_ref="C2", episode_ref="E2", placing_authority="Brent",
                      host_area="Gateshead"),
                 wide(child_ref="C3", episode_ref="E3", placing_authority="", host_area=""),
                 header=WIDE).rows
    datasets.import_rows(db, ring, org, rows)
    db.commit()
    assert field_figures.area_choices(db, org) == field_figures.AreaChoice(
        ("Brent", "Harrow"), ("Gateshead",))

    def episodes(placing=None, host=None):
        where = field_figures.area_filter(placing, host)
        table = datasets.quarterly_tables(db, org, 2024, where)["all"]
        return table.row("No. Missing Episodes").cells[-1]

    assert (episodes(), episodes("Harrow"), episodes(host="Gateshead"),
            episodes("Brent", "Gateshead"), episodes("Harrow", "Nowhere")) == (
        "3", "1", "2", "1", "0")
    panel = field_figures.panel(db, org, 2024, field_figures.area_filter("Brent", None))
    assert dict(panel["independence"])["Held by an independent person"] == (1, 0, 0, 0, 1)
