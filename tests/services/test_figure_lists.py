"""The list behind every figure has exactly as many rows as the figure says: every figure of
the quarterly tables (each quarter and the year, both cohorts) and every cell of the team
page's timeliness by worker and month, on varied data (times either side of 72 hours,
quarter edges in UK time, repeat children, conversations no one holds)."""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from rhc_app.domain import figures
from rhc_app.domain.dataset import DatasetRow
from rhc_app.services import datasets, figure_lists
from rhc_app.store.models import AuditEvent, Conversation
from tests.conftest import make_case

HOURS = [timedelta(hours=72), timedelta(hours=72, minutes=1), timedelta(hours=71, minutes=59),
         timedelta(hours=5), timedelta(hours=150)]


def _varied_rows(seed: int, count: int) -> list[DatasetRow]:
    rng = random.Random(seed)
    edges = [datetime(2024, 3, 31, 23, 0, tzinfo=UTC), datetime(2024, 6, 30, 23, 0, tzinfo=UTC),
             datetime(2025, 3, 31, 22, 59, tzinfo=UTC)]
    rows = []
    for i in range(count):
        reported = edges[i] if i < len(edges) else \
            datetime(2024, 3, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 60 * 24 * 420))
        found = None if rng.random() < 0.1 else reported + timedelta(hours=rng.randint(1, 30))
        outcome = rng.choice([None, "accepted", "accepted", "declined", "not_completed"])
        base = found or reported
        offered = None if rng.random() < 0.3 else base + rng.choice(HOURS)
        held = base + rng.choice(HOURS) if outcome == "accepted" else None
        rows.append(DatasetRow(
            child_ref=f"R{rng.randint(1, 60)}", child_name=None, date_of_birth=None,
            gender=None, ethnicity=None, in_care=rng.random() < 0.4, episode_ref=f"EP{i}",
            reported_missing_at=reported, found_at=found, police_risk=None,
            rhc_offered_at=offered, rhc_outcome=outcome, rhc_held_at=held))
    return rows


def test_every_quarterly_figure_equals_the_length_of_its_list(world, db):
    org = world.orgs["north"].org
    datasets.import_rows(db, db.info["keyring"], org, _varied_rows(1307, 250))
    db.commit()
    checked = 0
    for year in (2023, 2024):
        counted = datasets.quarterly_counts(db, org, year)
        reference = datasets.facts(db, org, date(year, 4, 1), date(year + 1, 3, 31))
        for cohort in figure_lists.COHORTS:
            periods = figures.quarter_dates(year)
            for (start, end), counts in zip(periods, counted[cohort], strict=True):
                for figure in figures.COUNT_KEYS:
                    rows = figure_lists.listed(db, org, figure,
                                               figure_lists.Scope(start, end, cohort))
                    assert len(rows) == counts[figure], (year, cohort, start, figure)
                    checked += 1
            # and the database agrees with the pure reference, offered-within included
            expected = figures.quarterly_table(reference, year, cohort)  # type: ignore[arg-type]
            table = figures.with_offered_rows(
                figures.table_from_counts(year, cohort, counted[cohort]), counted[cohort])
            assert table.as_rows()[:8] == expected.as_rows()
            offered_within = [sum(figures.offered_within_timescale(e.found_at, e.offered_at,
                                                                   e.held_at)
                                  for e in reference if e.offered
                                  and (cohort == "all" or e.in_care)
                                  and start <= figures.london_date(e.reported_missing_at) <= end)
                              for start, end in periods]
            assert [c["offered_within"] for c in counted[cohort]] == offered_within
    assert checked == 2 * 2 * 5 * len(figures.COUNT_KEYS)
    # A figure with something in it, so the agreement is not 0 == 0 everywhere.
    assert datasets.quarterly_counts(db, org, 2024)["all"][4]["offered_within"] > 10


def test_children_list_has_one_row_a_child(world, db):
    manager = world.user("north", "manager")
    for _ in range(3):
        make_case(db, manager, name="Rue Thrice", ref="THRICE-1", reported_hours_ago=40)
    make_case(db, manager, name="Ode Once", ref="ONCE-1", reported_hours_ago=40)
    today = datetime.now(UTC).date()
    scope = figure_lists.Scope(today - timedelta(days=3), today)
    rows = figure_lists.listed(db, world.orgs["north"].org, "children", scope)
    assert sorted(r.case_reference for r in rows) == ["ONCE-1", "THRICE-1"]
    assert len(figure_lists.listed(db, world.orgs["north"].org, "episodes", scope)) == 4


def test_timeliness_by_worker_and_month_equals_its_lists(world, db):
    org = world.orgs["north"].org
    worker, worker2 = world.user("north", "worker"), world.user("north", "worker2")
    rng = random.Random(77)
    for i in range(30):
        holder = [worker, worker2, world.user("north", "manager")][i % 3]
        episode = make_case(db, holder, ref=f"WM-{i % 7}", reported_hours_ago=rng.randint(30, 2000),
                            found_hours_ago=None)
        conv = db.get(Conversation, episode.conversation.id)
        episode = conv.episode
        episode.found_at = episode.reported_missing_at + timedelta(hours=5)
        conv.offered_at = episode.found_at + rng.choice(HOURS)
        if i % 2:
            conv.outcome, conv.status = "accepted", "accepted"
            conv.held_at = episode.found_at + rng.choice(HOURS)
        else:
            conv.outcome, conv.status = "declined", "declined"
    make_case(db, world.user("south", "worker"), reported_hours_ago=40)  # another organisation's
    db.commit()
    months = figures.month_dates(datetime.now(UTC).date(), 4)
    table = figure_lists.by_worker_and_month(db, org, months)
    assert {w.worker for w in table} == {worker.id, worker2.id, figure_lists.NOT_ALLOCATED}
    assert table[-1].worker_name == "Not allocated"
    total = 0
    for w in table:
        for first, last, counts in w.months:
            for figure, n in counts.items():
                rows = figure_lists.listed(db, org, figure,
                                           figure_lists.Scope(first, last, worker=w.worker))
                assert len(rows) == n, (w.worker_name, first, figure)
                total += n
    assert total > 30


def test_listing_is_audited_with_the_manager_and_the_figure(world, db):
    manager = world.user("north", "manager")
    make_case(db, manager, ref="AUD-1")
    today = datetime.now(UTC).date()
    scope = figure_lists.Scope(today - timedelta(days=5), today, "in-care")
    figure_lists.list_for_manager(db, manager, "offered_within", scope)
    db.commit()
    event = db.execute(select(AuditEvent).where(AuditEvent.action == "figure_listed")).scalar_one()
    assert event.user_id == manager.id and event.record_id == "offered_within"
    assert event.detail == f"{scope.start} to {scope.end} in-care worker any"
