"""The weekly meeting's week (Monday to Sunday, UK calendar) and how a change is worded."""

from datetime import UTC, date, datetime

from rhc_app.domain.weekly import Week, change_text, episodes_in_days


def test_a_week_runs_monday_to_sunday_on_the_uk_calendar():
    week = Week.containing(date(2026, 11, 8))  # a Sunday
    assert (week.monday, week.sunday) == (date(2026, 11, 2), date(2026, 11, 8))
    assert week.previous.monday == date(2026, 10, 26) and week.next.monday == date(2026, 11, 9)
    # Monday 00:00 in summer time is 23:00 UTC on the Sunday before
    assert Week(date(2026, 6, 1)).starts()[0] == datetime(2026, 5, 31, 23, 0, tzinfo=UTC)
    # the week the clocks go back is 169 hours long
    lo, hi = Week(date(2026, 10, 19)).starts()  # clocks go back on Sunday 25 October
    assert (hi - lo).total_seconds() == 169 * 3600


def test_change_and_window_counts():
    assert change_text(3, 1) == "Up 2" and change_text(1, 3) == "Down 2"
    assert change_text(2, 2) == "No change"
    until = datetime(2026, 11, 9, tzinfo=UTC)
    reported = [datetime(2026, 11, 8, tzinfo=UTC), datetime(2026, 10, 10, tzinfo=UTC),
                datetime(2026, 10, 9, 23, 59, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC)]
    assert episodes_in_days(reported, until, 30) == 2  # 30 days back to 10 Oct, not the 9th
    assert episodes_in_days(reported, until, 90) == 3  # the end of the week is not in it
