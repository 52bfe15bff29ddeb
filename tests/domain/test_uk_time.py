"""UK time in one place: the clock changes of March and October 2025 and 2026, "today" just
after midnight, the 72 real hours, and the lists and the quarterly figures agreeing on them.

Every expected value is worked out by hand in the comments (BST is UTC+1, from 01:00 UTC on
the last Sunday of March to 01:00 UTC on the last Sunday of October)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from rhc_app.documents.records import timeliness
from rhc_app.domain import figures, uk_time
from rhc_app.domain.uk_time import (
    NoSuchUkTime,
    age_on,
    format_datetime,
    from_london,
    today_in_london,
    within_timescale,
)
from tests.web.test_documents_pdf import make_record


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("day", [date(2025, 3, 30), date(2026, 3, 29)])
def test_a_time_in_the_march_gap_is_refused_with_a_plain_message(day: date) -> None:
    wall = datetime.combine(day, datetime.min.time()).replace(hour=1, minute=30)
    with pytest.raises(NoSuchUkTime) as refused:
        from_london(wall)
    message = str(refused.value)
    assert f"There was no 01:30 on {day.day} March {day.year}" in message
    assert "clocks went forward" in message and "02:30" in message
    # Either side of the gap is fine: 00:59 GMT is 00:59 UTC, 02:00 BST is 01:00 UTC.
    assert from_london(wall.replace(hour=0, minute=59)) == utc(day.year, 3, day.day, 0, 59)
    assert from_london(wall.replace(hour=2, minute=0)) == utc(day.year, 3, day.day, 1, 0)
    # A machine-written file is read on the clock from before the change: 01:30 GMT.
    assert from_london(wall, in_gap="forward") == utc(day.year, 3, day.day, 1, 30)


@pytest.mark.parametrize("day", [date(2025, 10, 26), date(2026, 10, 25)])
def test_a_time_in_the_october_overlap_means_the_first_one(day: date) -> None:
    wall = datetime(day.year, 10, day.day, 1, 30)
    assert from_london(wall) == utc(day.year, 10, day.day, 0, 30)  # 01:30 BST, not GMT
    assert from_london(wall.replace(hour=2)) == utc(day.year, 10, day.day, 2, 30)  # GMT again
    # Both 01:30s are shown as 01:30 on the London clock.
    for hour in (0, 1):
        assert format_datetime(utc(day.year, 10, day.day, hour, 30)).endswith(", 01:30")


@pytest.mark.parametrize("now,expected", [
    (utc(2026, 6, 30, 23, 30), date(2026, 7, 1)),    # 00:30 BST on 1 July
    (utc(2026, 3, 31, 23, 0), date(2026, 4, 1)),     # midnight BST: a new financial year
    (utc(2026, 3, 31, 22, 59), date(2026, 3, 31)),   # 23:59 BST
    (utc(2026, 3, 28, 23, 30), date(2026, 3, 28)),   # still GMT, the night the clocks change
    (utc(2025, 10, 25, 23, 30), date(2025, 10, 26)),  # 00:30 BST, the night they go back
    (utc(2026, 12, 31, 23, 30), date(2026, 12, 31)),  # GMT: London is UTC
])
def test_today_in_london_just_after_midnight(now: datetime, expected: date) -> None:
    assert today_in_london(now) == expected


def test_the_72_hours_are_real_hours_across_both_clock_changes() -> None:
    # Found 12:00 GMT on Sat 28 March 2026 (12:00 UTC): due 12:00 UTC on Tue 31 March,
    # which the London clock shows as 13:00 BST.
    due = uk_time.due_at(from_london(datetime(2026, 3, 28, 12, 0)))
    assert format_datetime(due) == "Tue 31 Mar 2026, 13:00"
    # Found 12:00 BST on Sat 24 October 2026 (11:00 UTC): due 11:00 UTC on Tue 27 October,
    # 11:00 GMT on the London clock.
    found = from_london(datetime(2026, 10, 24, 12, 0))
    assert format_datetime(uk_time.due_at(found)) == "Tue 27 Oct 2026, 11:00"
    assert within_timescale(found, from_london(datetime(2026, 10, 27, 11, 0))) is True
    assert within_timescale(found, from_london(datetime(2026, 10, 27, 11, 1))) is False


def test_the_pdf_timeliness_counts_real_hours_not_the_wall_clock() -> None:
    # Found 12:00 BST on 24 October 2026, held 11:30 GMT on the 27th: 71½ hours by the wall
    # clock but 72½ real hours, so half an hour late.
    rec = make_record()
    found = from_london(datetime(2026, 10, 24, 12, 0))
    rec = replace(rec, episode=replace(rec.episode, found_at=found),
                  held_at=from_london(datetime(2026, 10, 27, 11, 30)))
    assert timeliness(rec) == "Not within 72 hours (held 30 minutes late)"


# (found, held) pairs worth agreeing on: on time, the boundary, late, held before found
# (a data error), a time missing, and both clock changes.
FOUND = utc(2026, 10, 24, 11, 0)
CASES = [
    (FOUND, FOUND + timedelta(hours=30)),
    (FOUND, FOUND + timedelta(hours=72)),
    (FOUND, FOUND + timedelta(hours=72, minutes=1)),
    (FOUND, FOUND - timedelta(minutes=1)),
    (FOUND, FOUND),
    (None, FOUND),
    (utc(2026, 3, 28, 12, 0), utc(2026, 3, 31, 12, 0)),
    (utc(2025, 10, 25, 12, 0), utc(2025, 10, 28, 12, 30)),
]


@pytest.mark.parametrize("found,held", CASES)
def test_the_lists_the_record_and_the_quarterly_figures_agree(found, held) -> None:
    on_the_list = uk_time.clock(found, held + timedelta(days=30), stopped_at=held).within
    counted = figures.within_timescale(found, held)
    table = figures.quarterly_table([figures.EpisodeFacts(
        "A", False, utc(2026, 10, 1, 9, 0), found_at=found, outcome="accepted", held_at=held)],
        2026)
    assert counted is (on_the_list is True)
    assert table.row("RHC Within Timescale").cells[-1] == ("1" if counted else "0")
    if found is not None:
        assert (on_the_list is True) == timeliness(replace(
            make_record(), episode=replace(make_record().episode, found_at=found),
            held_at=held)).startswith("Within")


def test_held_before_found_is_not_within_on_the_list() -> None:
    state = uk_time.clock(FOUND, FOUND + timedelta(days=9), stopped_at=FOUND - timedelta(hours=1))
    assert state.state == "stopped" and state.within is None  # "check the times", not "within"
    assert figures.within_timescale(FOUND, FOUND - timedelta(hours=1)) is False


def test_age_on_a_day() -> None:
    assert age_on(date(2011, 5, 4), date(2026, 5, 3)) == 14
    assert age_on(date(2011, 5, 4), date(2026, 5, 4)) == 15
    assert age_on(date(2012, 2, 29), date(2026, 2, 28)) == 13  # a leap-day birthday...
    assert age_on(date(2012, 2, 29), date(2026, 3, 1)) == 14   # ...falls on 1 March


def test_the_formats_for_pages_pdfs_and_csv_files() -> None:
    first, second = utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)  # both 01:30 in London
    assert uk_time.format_csv_time(first) == "2026-10-25T01:30:00+01:00"
    assert uk_time.format_csv_time(second) == "2026-10-25T01:30:00+00:00"  # told apart by offset
    assert uk_time.format_input(utc(2026, 7, 3, 9, 5)) == "2026-07-03T10:05"
    assert uk_time.format_date(utc(2026, 6, 30, 23, 30)) == "1 Jul 2026"
    assert uk_time.format_date_long(date(2011, 3, 3)) == "3 March 2011"
    assert uk_time.format_duration(timedelta(hours=71, minutes=5)) == "71 hours 5 minutes"
    assert uk_time.format_duration(timedelta(hours=80)) == "3 days 8 hours"
    assert uk_time.format_time_left(timedelta(hours=26, minutes=5)) == "1 day 2 hours"
    assert uk_time.format_time_left(timedelta(minutes=-1)) == "1 minute"
