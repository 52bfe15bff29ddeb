"""Issue 17's rules against hand-worked examples: when a conversation is late, which reason
an organisation may give, and how late reasons and independence are counted by quarter."""

from datetime import UTC, datetime, timedelta

import pytest

from rhc_app.domain.delay_reasons import code_of, is_late, reason_problem, reasons_for
from rhc_app.domain.figures.reasons import FieldFacts, independence_rows, late_reason_rows
from rhc_app.domain.vocabulary import LATE_REASONS

FOUND = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def test_late_is_strictly_more_than_72_hours_after_found():
    assert not is_late(FOUND, FOUND + timedelta(hours=72))  # exactly 72 is within
    assert is_late(FOUND, FOUND + timedelta(hours=72, minutes=1))
    assert not is_late(None, FOUND + timedelta(days=9))  # no clock to be late on
    assert not is_late(FOUND, None)
    assert not is_late(FOUND, FOUND - timedelta(hours=1))  # a data error, not lateness


def test_the_starting_list_and_an_organisations_own():
    assert list(reasons_for(None)) == [*LATE_REASONS, "other"]
    own = reasons_for(["Notification arrived late", "  Police   check delayed ", "Other"])
    # The starting list's codes survive in an organisation's copy; "Other" once, last.
    assert own == {"notification_arrived_late": "Notification arrived late",
                   "police_check_delayed": "Police check delayed", "other": "Other"}
    assert code_of("Child not available") == "child_not_available"


@pytest.mark.parametrize(("late", "code", "note", "problem"), [
    (False, None, None, None),
    (True, None, None, "Select why the conversation was held more than 72 hours after the "
                      "child was found"),
    (True, "child_missing_again", "", None),
    (True, "other", "  ", "Enter what the other reason was"),
    (True, "other", "School trip", None),
    (False, "made_up", None, "Select a reason from the list"),
])
def test_reason_problem(late, code, note, problem):
    assert reason_problem(late, code, note, reasons_for(None)) == problem


def _episode(quarter_month: int, *, offered_h=None, held_h=None, outcome=None, reason=None,
             independent=None, found=True):
    reported = datetime(2024 if quarter_month >= 4 else 2025, quarter_month, 10, 12, tzinfo=UTC)
    found_at = reported + timedelta(hours=5) if found else None
    base = found_at or reported

    def at(h):
        return None if h is None else base + timedelta(hours=h)

    return FieldFacts(reported_missing_at=reported, found_at=found_at, offered_at=at(offered_h),
                      outcome=outcome, held_at=at(held_h), late_reason=reason,
                      independent=independent)


# Worked by hand: 2024/25, Q1 (May) three episodes, Q2 (August) two, Q4 (February) one.
EPISODES = [
    # Q1: offered in time and held late (worker away); offered late (notification late) and
    # declined; offered and held in time (not late: counted nowhere in the late rows).
    _episode(5, offered_h=10, held_h=80, outcome="accepted", reason="worker_not_available",
             independent=True),
    _episode(5, offered_h=90, outcome="declined", reason="notification_arrived_late"),
    _episode(5, offered_h=2, held_h=20, outcome="accepted", independent=False),
    # Q2: held late with no reason (imported); held late, an old list's code.
    _episode(8, offered_h=1, held_h=100, outcome="accepted"),
    _episode(8, offered_h=1, held_h=75, outcome="accepted", reason="school_holidays",
             independent=True),
    # Q4: no time found, so never late; held, independence not recorded.
    _episode(2, offered_h=200, held_h=300, outcome="accepted", found=False),
    # The year before: not counted.
    FieldFacts(reported_missing_at=datetime(2024, 3, 1, tzinfo=UTC), found_at=FOUND,
               offered_at=FOUND + timedelta(days=5), late_reason="child_missing_again"),
]


def test_late_reasons_counted_by_quarter():
    rows = dict(late_reason_rows(EPISODES, 2024, reasons_for(None)))
    assert rows["Notification arrived late"] == (1, 0, 0, 0, 1)
    assert rows["Worker not available"] == (1, 0, 0, 0, 1)
    assert rows["Child missing again"] == (0, 0, 0, 0, 0)  # the year before's is not counted
    assert rows["School holidays"] == (0, 1, 0, 0, 1)  # kept visible, not dropped
    assert rows["No reason recorded"] == (0, 1, 0, 0, 1)
    assert rows["All offered or held after 72 hours"] == (2, 2, 0, 0, 4)
    assert list(rows)[:5] == [*LATE_REASONS.values(), "Other"]


def test_independence_counted_by_quarter():
    assert independence_rows(EPISODES, 2024) == [
        ("Held by an independent person", (1, 1, 0, 0, 2)),
        ("Held by someone not independent", (1, 0, 0, 0, 1)),
        ("Held, independence not recorded", (0, 1, 0, 1, 2)),
    ]
