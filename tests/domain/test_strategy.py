"""The strategy meeting rules (domain/strategy.py): triggers, what covers them, due dates and
the senior-manager clock. Times are UTC; the dates fall in winter, when London is UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from rhc_app.domain import strategy
from rhc_app.domain.strategy import DecisionFact, EpisodeFact, Rules

RULES = Rules()
# Monday 2 November 2026 at 10:00 (GMT).
MON = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def ep(n: str, days: float, **kw: object) -> EpisodeFact:
    return EpisodeFact(n, MON + timedelta(days=days), found_at=kw.get("found_at",  # type: ignore[arg-type]
                                                                       MON + timedelta(days=days, hours=5)),
                       in_care=bool(kw.get("in_care", False)))


def test_the_third_episode_in_thirty_days_is_the_trigger():
    episodes = [ep("a", 0), ep("b", 10), ep("c", 20), ep("d", 60)]
    assert [e.id for e in strategy.repeat_triggers(episodes, RULES)] == ["c"]


def test_an_episode_outside_the_window_does_not_count():
    episodes = [ep("a", 0), ep("b", 10), ep("c", 31)]
    assert strategy.repeat_triggers(episodes, RULES) == []
    assert [e.id for e in strategy.repeat_triggers(episodes, Rules(window_days=31))] == ["c"]


def test_the_organisations_threshold_is_used():
    episodes = [ep("a", 0), ep("b", 1)]
    assert [e.id for e in strategy.repeat_triggers(episodes, Rules(threshold=2))] == ["b"]
    assert strategy.repeat_triggers(episodes, RULES) == []


def test_working_days_skip_the_weekend():
    assert strategy.add_working_days(date(2026, 11, 2), 5) == date(2026, 11, 9)  # Mon -> Mon
    assert strategy.add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 9)  # Fri -> Mon
    assert strategy.add_working_days(date(2026, 11, 7), 1) == date(2026, 11, 9)  # Sat -> Mon


def test_a_trigger_with_no_decision_is_due_then_overdue():
    episodes = [ep("a", 0), ep("b", 1), ep("c", 2)]  # c reported Wed 4 Nov
    state = strategy.decision_state(episodes, [], RULES, MON + timedelta(days=2, hours=1))
    assert (state.state, state.prompt, state.episode.id) == ("due", "repeat", "c")  # type: ignore[union-attr]
    assert state.due_on == date(2026, 11, 11)  # five working days after Wed 4 Nov
    assert strategy.decision_state(episodes, [], RULES, datetime(2026, 11, 11, 23, 0, tzinfo=UTC)
                                   ).state == "due"
    assert strategy.decision_state(episodes, [], RULES, datetime(2026, 11, 12, 0, 1, tzinfo=UTC)
                                   ).state == "overdue"


def test_a_decision_clears_the_trigger_and_the_next_episode_raises_a_new_one():
    episodes = [ep("a", 0), ep("b", 1), ep("c", 2)]
    held = DecisionFact("held", MON + timedelta(days=3), date(2026, 11, 5))
    now = MON + timedelta(days=4)
    assert strategy.decision_state(episodes, [held], RULES, now).state == "none"
    assert strategy.covered(episodes[2], [held])
    again = [*episodes, ep("d", 5)]
    state = strategy.decision_state(again, [held], RULES, MON + timedelta(days=5, hours=1))
    assert (state.state, state.episode.id) == ("due", "d")  # type: ignore[union-attr]
    assert state.latest == held


def test_a_decision_recorded_before_the_trigger_does_not_cover_it():
    early = DecisionFact("not_needed", MON + timedelta(days=1, hours=1))
    episodes = [ep("a", 0), ep("b", 1), ep("c", 2)]
    assert not strategy.covered(episodes[2], [early])
    assert strategy.decision_state(episodes, [early], RULES, MON + timedelta(days=2, hours=1)
                                   ).state == "due"


def test_a_booked_meeting_covers_episodes_up_to_its_day_then_is_overdue_until_held():
    episodes = [ep("a", 0), ep("b", 1), ep("c", 2)]
    booked = DecisionFact("booked", MON + timedelta(days=2, hours=2), date(2026, 11, 9))
    later = [*episodes, ep("d", 6)]  # Sun 8 Nov, before the meeting: it will hear it
    state = strategy.decision_state(later, [booked], RULES, MON + timedelta(days=6, hours=1))
    assert (state.state, state.due_on) == ("booked", date(2026, 11, 9))
    state = strategy.decision_state(later, [booked], RULES, datetime(2026, 11, 10, 9, tzinfo=UTC))
    assert (state.state, state.prompt) == ("overdue", "booked_not_held")
    held = DecisionFact("held", datetime(2026, 11, 10, 10, tzinfo=UTC), date(2026, 11, 9))
    assert strategy.decision_state(later, [booked, held], RULES,
                                   datetime(2026, 11, 10, 11, tzinfo=UTC)).state == "none"


def test_a_child_in_care_still_missing_needs_a_meeting_by_the_third_day():
    missing = ep("a", 0, found_at=None, in_care=True)  # reported Monday: day 3 is Wednesday
    state = strategy.decision_state([missing], [], RULES, MON + timedelta(hours=1))
    assert (state.state, state.prompt, state.due_on) == ("due", "in_care", date(2026, 11, 4))
    assert strategy.decision_state([missing], [], RULES, datetime(2026, 11, 5, 0, 1, tzinfo=UTC)
                                   ).state == "overdue"
    assert strategy.decision_state([missing], [], Rules(in_care_meeting_day=4),
                                   datetime(2026, 11, 5, 0, 1, tzinfo=UTC)).state == "due"


def test_a_child_in_care_found_in_time_or_at_home_needs_no_meeting():
    found = ep("a", 0, found_at=MON + timedelta(days=1), in_care=True)
    home = ep("b", 0, found_at=None, in_care=False)
    assert strategy.triggers([found], RULES) == []
    assert strategy.triggers([home], RULES) == []
    found_late = ep("c", 0, found_at=MON + timedelta(days=4), in_care=True)
    assert [t.prompt for t in strategy.triggers([found_late], RULES)] == ["in_care"]


def test_missing_for_in_words():
    assert strategy.missing_words(MON, MON + timedelta(days=2, hours=4, minutes=20)) == \
        "2 days 4 hours"
    assert strategy.missing_words(MON, MON + timedelta(minutes=1)) == "1 minute"
    assert strategy.missing_for(MON, MON - timedelta(hours=1)) == timedelta(0)


def test_a_senior_manager_is_told_at_72_hours_missing():
    at_72 = MON + timedelta(hours=72)
    assert strategy.senior_manager_due(MON, None, at_72, RULES, told=False)
    assert not strategy.senior_manager_due(MON, None, at_72 - timedelta(minutes=1), RULES,
                                           told=False)
    assert not strategy.senior_manager_due(MON, None, at_72, RULES, told=True)
    assert not strategy.senior_manager_due(MON, at_72, at_72, RULES, told=False)
    assert strategy.senior_manager_due(MON, None, MON + timedelta(hours=48),
                                       Rules(senior_manager_hours=48), told=False)
