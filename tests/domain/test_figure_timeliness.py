"""Offered within 72 hours (beside Gateshead's held within), the extra rows on the page, and
the periods every figure's link names."""

from datetime import UTC, date, datetime, timedelta

from rhc_app.domain import figures
from rhc_app.domain.figures import EpisodeFacts

FOUND = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def test_offered_within_72_hours_counts_the_offer_not_the_outcome():
    assert figures.offered_within_timescale(FOUND, FOUND + timedelta(hours=72))
    assert not figures.offered_within_timescale(FOUND, FOUND + timedelta(hours=72, minutes=1))
    assert not figures.offered_within_timescale(FOUND, FOUND - timedelta(hours=1))
    assert not figures.offered_within_timescale(None, FOUND)
    assert not figures.offered_within_timescale(FOUND, None)
    # held in time: it was offered no later than it was held
    assert figures.offered_within_timescale(FOUND, None, FOUND + timedelta(hours=10))
    # a late offer is late even if the conversation was later held (the offer time wins)
    assert not figures.offered_within_timescale(FOUND, FOUND + timedelta(hours=80),
                                                FOUND + timedelta(hours=10))


def test_a_declined_offer_made_in_time_is_timely_work_but_not_held_within():
    declined = EpisodeFacts("a", False, FOUND - timedelta(hours=3), FOUND,
                            offered_at=FOUND + timedelta(hours=20), outcome="declined")
    late = EpisodeFacts("b", False, FOUND - timedelta(hours=3), FOUND,
                        offered_at=FOUND + timedelta(hours=90), outcome="accepted",
                        held_at=FOUND + timedelta(hours=95))
    never = EpisodeFacts("c", False, FOUND - timedelta(hours=3), FOUND)
    table = figures.quarterly_table([declined, late, never], 2024)
    assert table.row("RHC Within Timescale").cells[0] == "0"
    counts = [{"offered_within": 1, "offered": 2}] * 5
    rows = figures.with_offered_rows(table, counts).as_rows()
    assert rows[:8] == table.as_rows()  # the published table is unchanged
    assert rows[8] == ["RHC Offered Within 72 Hours", "1", "1", "1", "1", "1"]
    assert rows[9] == ["% Offered Within 72 Hours", *["50.0%"] * 5]


def test_every_measure_on_the_page_names_its_figure():
    measures = [*figures.MEASURES, *figures.OFFERED_MEASURES]
    assert set(figures.MEASURE_FIGURES) == set(measures)
    assert set(figures.MEASURE_FIGURES.values()) == set(figures.COUNT_KEYS)


def test_quarter_and_month_periods():
    assert figures.quarter_dates(2024) == [
        (date(2024, 4, 1), date(2024, 6, 30)), (date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 10, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2024, 4, 1), date(2025, 3, 31))]
    assert figures.month_dates(date(2025, 2, 10), 3) == [
        (date(2024, 12, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2025, 1, 31)),
        (date(2025, 2, 1), date(2025, 2, 28))]


def test_shared_copies_hide_a_percentage_made_from_a_small_count():
    from rhc_app.domain import disclosure

    base = {"children": 9, "episodes": 9, "offered": 9, "accepted": 9, "declined": 0,
            "within": 9}
    counts = [{**base, "offered_within": n} for n in (2, 9, 0, 9, 9)]
    table = figures.with_offered_rows(figures.table_from_counts(2024, "all", counts), counts)
    rows = {r[0]: r[1:] for r in disclosure.table_rows(table, 5)}
    assert rows["RHC Offered Within 72 Hours"] == ["<5", "9", "0", "9", "9"]
    assert rows["% Offered Within 72 Hours"] == [disclosure.NOT_SHOWN, "100.0%", "0.0%",
                                                 "100.0%", "100.0%"]
