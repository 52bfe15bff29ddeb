"""Dataset times in UK time, across the hours the clocks change: the parser looks up UK
time's offset once per hour, and must read every wall-clock time as zoneinfo does."""

from datetime import UTC, datetime, timedelta

import pytest

from rhc_app.domain.dataset.cells import _parse_datetime
from rhc_app.domain.uk_time import LONDON


@pytest.mark.parametrize("day", ["2024-03-31", "2024-10-27", "2026-03-29", "2026-10-25",
                                 "2025-07-01"])
def test_every_minute_around_a_clock_change_reads_as_zoneinfo_does(day):
    start = datetime.fromisoformat(f"{day}T00:00")
    for minute in range(0, 4 * 60):
        wall = start + timedelta(minutes=minute)
        expected = wall.replace(tzinfo=LONDON).astimezone(UTC)  # fold 0
        assert _parse_datetime(wall.strftime("%Y-%m-%d %H:%M")) == expected, wall


def test_the_skipped_hour_reads_as_gmt_and_the_repeated_hour_as_bst():
    assert _parse_datetime("2024-03-31 01:30") == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert _parse_datetime("2024-10-27 01:30") == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert _parse_datetime("2024-10-27 02:30") == datetime(2024, 10, 27, 2, 30, tzinfo=UTC)


def test_an_offset_or_z_is_taken_as_given():
    assert _parse_datetime("2024-07-01T10:00:05.5+02:00") == datetime(
        2024, 7, 1, 8, 0, 5, 500000, tzinfo=UTC)
    assert _parse_datetime("2024-07-01 10:00Z") == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
