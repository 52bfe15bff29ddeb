"""The importer takes a conversation's status from the lifecycle rules (domain/lifecycle.py):
a row sets what it describes (the last row wins), except on a record the app holds (notes
being written, awaiting sign-off, completed in the app), which changes only in the app."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from rhc_app.domain import lifecycle, vocabulary
from rhc_app.store.models import Conversation, Episode

HEADER = ("child_ref,child_name,date_of_birth,gender,ethnicity,in_care,episode_ref,"
          "reported_missing_at,found_at,police_risk,rhc_offered_at,rhc_outcome,rhc_held_at,"
          "risk_factors")
OFFERED = "2024-05-11T12:00Z"
HELD = "2024-05-12T09:00Z"


def _row(offered="", outcome="", held=""):  # type: ignore[no-untyped-def]
    return (f"A1,Ada Sampleton,2010-01-02,female,White British,no,E1,2024-05-10T10:00Z,"
            f"2024-05-11T10:00Z,high,{offered},{outcome},{held},")


def _import(runner, tmp_path, row):  # type: ignore[no-untyped-def]
    path = tmp_path / "episodes.csv"
    path.write_text(HEADER + "\n" + row + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", "episodes", str(path), "--org", "north"])
    assert result.exit_code == 0, result.output


def _conversation(db) -> Conversation:  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    return db.execute(select(Conversation).join(Episode)).scalar_one()


@pytest.mark.parametrize("row, status", [
    (_row(), "to_offer"), (_row(OFFERED), "offered"),
    (_row(OFFERED, "declined"), "declined"), (_row(OFFERED, "not_completed"), "not_completed"),
    (_row(OFFERED, "accepted", HELD), "completed")], ids=lambda v: v if "," not in v else "")
@pytest.mark.parametrize("first", [_row(OFFERED, "declined"), _row(OFFERED, "accepted", HELD)],
                         ids=["declined", "completed elsewhere"])
def test_a_row_sets_the_status_it_describes(world, runner, db, tmp_path, first, row, status):
    _import(runner, tmp_path, first)  # then corrected by the next file
    _import(runner, tmp_path, row)
    assert _conversation(db).status == status


@pytest.mark.parametrize("held_in_the_app", ["in_progress", "awaiting_signoff", "completed"])
@pytest.mark.parametrize("row", [_row(), _row(OFFERED, "declined"),
                                 _row(OFFERED, "accepted", "2024-05-13T09:00Z")],
                         ids=["nothing offered", "declined", "held a day later"])
def test_a_row_never_changes_a_record_the_app_holds(world, runner, db, tmp_path,
                                                    held_in_the_app, row):
    _import(runner, tmp_path, _row(OFFERED, "accepted", HELD))
    conv = _conversation(db)
    conv.status = held_in_the_app
    if held_in_the_app == "completed":
        conv.completed_at = datetime(2024, 5, 12, 10, tzinfo=UTC)  # completed in the app
    conv.risk_factors = ["bullied"]
    db.commit()
    _import(runner, tmp_path, row)
    conv = _conversation(db)
    assert conv.status == held_in_the_app
    assert (conv.outcome, conv.risk_factors) == ("accepted", ["bullied"])
    assert conv.held_at.replace(tzinfo=UTC) == datetime(2024, 5, 12, 9, tzinfo=UTC)


def test_the_app_holds_a_record_from_the_first_note_on():
    assert [s for s in vocabulary.STATUSES if lifecycle.app_holds(s, True)] == [
        "in_progress", "awaiting_signoff", "completed", "covered"]
    assert [s for s in vocabulary.STATUSES if lifecycle.app_holds(s, False)] == [
        "in_progress", "awaiting_signoff", "covered"]
