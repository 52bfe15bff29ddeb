"""The 72-hour clock, repeat missing, continuity and the conversation's states."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rhc_app.domain import flags, lifecycle, uk_time
from rhc_app.web.filters import local

LONDON = ZoneInfo("Europe/London")

T0 = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # the clocks change in the UK on 29 March 2026


# The clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October 2026. The
# deadline is 72 elapsed hours, so on a London clock it moves by the hour the clocks changed.
@pytest.mark.parametrize("found_in_london,due_shown", [
    (datetime(2026, 3, 28, 12, 0, tzinfo=LONDON), "Tue 31 Mar 2026, 13:00"),
    (datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), "Tue 27 Oct 2026, 11:00"),
    (datetime(2026, 6, 10, 9, 30, tzinfo=LONDON), "Sat 13 Jun 2026, 09:30")])
def test_deadline_shown_in_london_time_across_the_clock_change(found_in_london, due_shown):
    found = found_in_london.astimezone(UTC)  # as the forms store it
    assert local(uk_time.due_at(found)) == due_shown
    assert uk_time.due_at(None) is None


def test_clock_in_the_hour_the_clocks_go_back():
    found = datetime(2026, 10, 22, 0, 30, tzinfo=UTC)  # due 25 October 00:30 UTC, 01:30 BST
    first_130 = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=0)  # BST: the deadline
    second_130 = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)  # GMT, an hour later
    assert uk_time.clock(found, first_130).state == "due_soon"
    assert uk_time.clock(found, second_130).state == "overdue"
    assert uk_time.clock(found, second_130).remaining == timedelta(hours=-1)


def test_deadline_from_a_london_time_is_72_elapsed_hours():
    found = datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)
    assert uk_time.due_at(found) == datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    held = datetime(2026, 10, 27, 12, 0, 1, tzinfo=LONDON)  # 72 hours and a second after
    assert uk_time.within_timescale(datetime(2026, 10, 24, 13, 0, tzinfo=LONDON), held) is False


@pytest.mark.parametrize("hours_since_found,state", [
    (1, "on_track"), (47.9, "on_track"), (48, "due_soon"), (71.99, "due_soon"),
    (72.01, "overdue"), (200, "overdue")])
def test_clock_states(hours_since_found, state):
    now = T0 + timedelta(hours=hours_since_found)
    c = uk_time.clock(T0, now)
    assert c.state == state
    assert c.remaining == T0 + timedelta(hours=72) - now


def test_clock_without_found_time_cannot_start():
    c = uk_time.clock(None, T0)
    assert c.state == "no_found_time" and c.due_at is None and c.remaining is None


def test_clock_stops_when_held():
    held = T0 + timedelta(hours=80)
    c = uk_time.clock(T0, T0 + timedelta(days=10), stopped_at=held)
    assert c.state == "stopped" and c.remaining == timedelta(hours=-8)


def test_within_timescale_boundary():
    assert uk_time.within_timescale(T0, T0 + timedelta(hours=72)) is True
    assert uk_time.within_timescale(T0, T0 + timedelta(hours=72, seconds=1)) is False
    assert uk_time.within_timescale(None, T0) is None


def test_most_urgent_first():
    now = T0 + timedelta(hours=100)
    found = [T0 + timedelta(hours=90), T0, None, T0 + timedelta(hours=50)]
    ordered = sorted(found, key=lambda f: uk_time.urgency_key(f, now))
    assert ordered == [T0, T0 + timedelta(hours=50), T0 + timedelta(hours=90), None]


def test_repeat_counts_the_window_up_to_this_episode():
    """The rule the lists use: episodes reported in the window ending when this one was."""
    days = [T0, T0 + timedelta(days=10), T0 + timedelta(days=30)]
    assert flags.episodes_in_window(days, days[-1]) == 3  # both ends of the window count
    late = [T0, T0 + timedelta(days=10), T0 + timedelta(days=30, seconds=1)]
    assert flags.episodes_in_window(late, late[-1]) == 2
    assert flags.episodes_in_window(days, days[1]) == 2  # later episodes are not counted
    # Three in a week long ago do not make a new episode, months later, a repeat.
    cluster = [T0, T0 + timedelta(days=1), T0 + timedelta(days=2), T0 + timedelta(days=100)]
    assert flags.episodes_in_window(cluster, cluster[-1]) == 1
    assert flags.episodes_in_window(cluster, cluster[2]) == 3
    assert flags.is_repeat(3) and not flags.is_repeat(2)
    # the threshold and the window are organisation settings: some areas use 5 in 60 days
    five = [T0 + timedelta(days=i * 14) for i in range(5)]
    assert flags.episodes_in_window(five, five[-1], window_days=60) == 5
    assert flags.is_repeat(5, threshold=5) and not flags.is_repeat(4, threshold=5)
    assert flags.episodes_in_window(five, five[-1]) == 3


def test_continuity_suggests_the_last_worker_the_child_spoke_to():
    history = [flags.PastConversation("w1", T0), flags.PastConversation("w2", T0 + timedelta(days=3)),
               flags.PastConversation("w3", None), flags.PastConversation(None, T0 + timedelta(days=9))]
    assert flags.continuity_worker(history) == "w2"
    assert flags.continuity_worker([]) is None
    fl = flags.flags_for(episode_count_30d=1, repeat=False, police_risk="low", found_at=T0,
                         consent_to_share="yes", status="completed", continuity_name="Kit",
                         holder_is_continuity=False)
    assert [f.code for f in fl] == ["continuity"]
    fl = flags.flags_for(episode_count_30d=4, repeat=True, police_risk="high", found_at=None,
                         consent_to_share=None, status="in_progress", continuity_name="Kit",
                         holder_is_continuity=True)
    assert [f.code for f in fl] == ["repeat", "high_risk", "no_found_time", "consent"]
    assert "4 episodes in 30 days" in fl[0].text


@pytest.mark.parametrize("start,action,expected", [
    ("to_offer", "offer", "offered"), ("offered", "accepted", "accepted"),
    ("offered", "declined", "declined"), ("to_offer", "not_completed", "not_completed"),
    ("declined", "offer", "offered"), ("not_completed", "offer", "offered"),
    ("accepted", "edit", "in_progress"), ("in_progress", "edit", "in_progress"),
    ("in_progress", "complete", "completed"), ("awaiting_signoff", "sign_off", "completed"),
    ("awaiting_signoff", "return", "in_progress"), ("completed", "amend", "completed")])
def test_allowed_moves(start, action, expected):
    assert lifecycle.next_status(start, action) == expected


def test_sign_off_required():
    assert lifecycle.next_status("in_progress", "complete", require_signoff=True) == "awaiting_signoff"


@pytest.mark.parametrize("start,action", [
    ("completed", "edit"), ("to_offer", "complete"), ("declined", "accepted"),
    ("completed", "offer"), ("in_progress", "sign_off"), ("offered", "edit")])
def test_refused_moves(start, action):
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.next_status(start, action)
    assert lifecycle.is_read_only("completed") and not lifecycle.is_read_only("in_progress")
