"""One conversation covering several missing episodes: what a covered episode is counted by,
where the clock runs from, and when an episode may be attached. The examples are worked by
hand (the working is in the comments)."""

from __future__ import annotations

from datetime import UTC, datetime

from rhc_app.domain import covering
from rhc_app.domain.covering import Candidate, OfferFacts, attach_problem, effective_facts
from rhc_app.domain.figures import EpisodeFacts, quarterly_table


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# Child K was missing twice in four days (UK summer time, all times below in UTC):
#   episode 1: reported Mon 1 Jul 2024 18:00, found Tue 2 Jul 09:00;
#   episode 2: reported Thu 4 Jul 20:00, found Fri 5 Jul 07:00.
# The conversation about episode 1 was offered Fri 5 Jul 10:00 and held Sat 6 Jul 15:00; it
# covers episode 2 too.
#   held - found(1) = 4 days 6 hours = 102 hours: NOT within 72 hours for episode 1;
#   held - found(2) = 1 day 8 hours = 32 hours: within 72 hours for episode 2.
FIRST = EpisodeFacts(child_key="K", in_care=True, reported_missing_at=utc("2024-07-01T18:00"),
                     found_at=utc("2024-07-02T09:00"), offered_at=utc("2024-07-05T10:00"),
                     outcome="accepted", held_at=utc("2024-07-06T15:00"))
SECOND_OWN = EpisodeFacts(child_key="K", in_care=True,
                          reported_missing_at=utc("2024-07-04T20:00"),
                          found_at=utc("2024-07-05T07:00"))
HELD_ONCE = OfferFacts(offered_at=utc("2024-07-05T10:00"), outcome="accepted",
                       outcome_at=utc("2024-07-05T10:00"), held_at=utc("2024-07-06T15:00"))


def test_an_episode_not_covered_is_counted_by_its_own_facts():
    assert effective_facts(SECOND_OWN, None) is SECOND_OWN


def test_a_covered_episode_is_counted_by_the_covering_conversation_but_its_own_found_time():
    second = effective_facts(SECOND_OWN, HELD_ONCE)
    assert (second.offered_at, second.outcome, second.held_at) == (
        utc("2024-07-05T10:00"), "accepted", utc("2024-07-06T15:00"))
    assert second.found_at == utc("2024-07-05T07:00")  # its own, not the first episode's
    assert second.reported_missing_at == SECOND_OWN.reported_missing_at


def test_the_quarterly_table_counts_a_covering_conversation_once_per_episode_it_answers():
    # Q2 of 2024-25 (July): 1 child, 2 episodes, both offered and accepted (100%), none
    # declined, within 72 hours: episode 2 only (32 h), not episode 1 (102 h) -> 1 of 2, 50%.
    table = quarterly_table([FIRST, effective_facts(SECOND_OWN, HELD_ONCE)], 2024, "in-care")
    q2 = [row.cells[1] for row in table.rows]
    assert q2 == ["1", "2", "2", "2", "100.0%", "0", "1", "50.0%"]
    # Without covering, episode 2 would be an episode never offered: 2 episodes, 1 offered.
    alone = quarterly_table([FIRST, SECOND_OWN], 2024, "in-care")
    assert [row.cells[1] for row in alone.rows] == ["1", "2", "1", "1", "100.0%", "0", "0", "0.0%"]


def test_a_declined_covering_conversation_counts_as_declined_for_every_episode():
    declined = OfferFacts(offered_at=utc("2024-07-05T10:00"), outcome="declined",
                          outcome_at=utc("2024-07-05T10:30"))
    first = effective_facts(FIRST, declined)
    second = effective_facts(SECOND_OWN, declined)
    table = quarterly_table([first, second], 2024, "all")
    # offered 2, accepted 0 (0%), declined 2, within 0 of 0 accepted (nothing to divide: -)
    assert [row.cells[1] for row in table.rows] == ["1", "2", "2", "0", "0.0%", "2", "0", "-"]


def test_the_clock_runs_from_the_latest_found_time():
    # found 2 Jul 09:00 and 5 Jul 07:00: the clock runs from 5 Jul 07:00, due 8 Jul 07:00.
    assert covering.clock_found_at([utc("2024-07-02T09:00"), utc("2024-07-05T07:00")]) == \
        utc("2024-07-05T07:00")
    assert covering.clock_found_at([utc("2024-07-05T07:00"), None, utc("2024-07-02T09:00")]) \
        == utc("2024-07-05T07:00")
    assert covering.clock_found_at([None]) is None
    # an aware time in another zone compares by the instant: 08:30+01:00 is 07:30 UTC
    bst = datetime.fromisoformat("2024-07-05T08:30+01:00")
    assert covering.clock_found_at([utc("2024-07-05T07:00"), bst]) == utc("2024-07-05T07:30")


def _candidate(**changes: object) -> Candidate:
    base = {"child_key": "K", "found_at": utc("2024-07-05T07:00"), "own_status": "to_offer",
            "covers_others": False}
    return Candidate(**{**base, **changes})  # type: ignore[arg-type]


def test_an_episode_of_the_same_child_not_yet_decided_can_be_attached():
    assert attach_problem("offered", "K", None, _candidate()) is None
    assert attach_problem("in_progress", "K", utc("2024-07-06T15:00"),
                          _candidate(own_status="offered")) is None


def test_what_cannot_be_attached_and_why():
    assert "finished" in attach_problem("completed", "K", None, _candidate())  # type: ignore[operator]
    assert "finished" in attach_problem("awaiting_signoff", "K", None, _candidate())  # type: ignore[operator]
    assert "finished" in attach_problem("declined", "K", None, _candidate())  # type: ignore[operator]
    assert "same child" in attach_problem("offered", "J", None, _candidate())  # type: ignore[operator]
    assert "already covered" in attach_problem(  # type: ignore[operator]
        "offered", "K", None, _candidate(own_status="covered"))
    for status in ("accepted", "in_progress", "declined", "not_completed", "completed"):
        assert "under way" in attach_problem(  # type: ignore[operator]
            "offered", "K", None, _candidate(own_status=status))
    assert "under way" in attach_problem(  # type: ignore[operator]
        "offered", "K", None, _candidate(covers_others=True))
    assert "found" in attach_problem(  # type: ignore[operator]
        "offered", "K", None, _candidate(found_at=None))
    # held 5 Jul 06:59, an hour before the child was found the second time (07:00): no
    assert "held before" in attach_problem(  # type: ignore[operator]
        "in_progress", "K", utc("2024-07-05T06:59"), _candidate())
    assert attach_problem("in_progress", "K", utc("2024-07-05T07:00"), _candidate()) is None
