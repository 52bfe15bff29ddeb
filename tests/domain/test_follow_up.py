"""Actions and referrals: when one is overdue, and which states it may take (no app)."""

from datetime import date

import pytest

from rhc_app.domain import follow_up, vocabulary

TODAY = date(2027, 3, 10)


@pytest.mark.parametrize(("due", "status", "overdue"), [
    (date(2027, 3, 9), "open", True),
    (date(2027, 3, 10), "open", False),   # due today is not late yet
    (date(2027, 3, 11), "open", False),
    (None, "open", False),                # no due date is never overdue
    (date(2027, 1, 1), "done", False),    # closed ones are never overdue
    (date(2027, 1, 1), "not_done", False),
])
def test_overdue_is_open_past_its_due_day(due, status, overdue):
    assert follow_up.is_overdue(due, status, TODAY) is overdue


def test_due_label_counts_the_days_late():
    assert follow_up.due_label(date(2027, 3, 9), "open", TODAY) == "Overdue by 1 day"
    assert follow_up.due_label(date(2027, 3, 1), "open", TODAY) == "Overdue by 9 days"
    assert follow_up.due_label(TODAY, "open", TODAY) == "Due today"
    assert follow_up.due_label(date(2027, 3, 1), "done", TODAY) == ""
    assert follow_up.due_label(None, "open", TODAY) == ""


def test_not_done_needs_a_reason():
    with pytest.raises(follow_up.ActionRuleError) as err:
        follow_up.check_change("not_done", "   ")
    assert err.value.field == "outcome"
    assert "why" in str(err.value)
    assert follow_up.check_change("not_done", " Family refused ") == "Family refused"


def test_done_and_open_need_no_note():
    assert follow_up.check_change("done", "") == ""
    assert follow_up.check_change("open", "") == ""


def test_an_unknown_status_is_refused():
    with pytest.raises(follow_up.ActionRuleError) as err:
        follow_up.check_change("lost", "")
    assert err.value.field == "status"


def test_a_new_due_date_is_not_in_the_past():
    with pytest.raises(follow_up.ActionRuleError) as err:
        follow_up.check_change("open", "", date(2027, 3, 9), TODAY)
    assert err.value.field == "due_on"
    assert follow_up.check_change("open", "", TODAY, TODAY) == ""


def test_a_long_note_is_refused():
    with pytest.raises(follow_up.ActionRuleError):
        follow_up.check_change("done", "x" * (follow_up.NOTE_MAX + 1))


def test_the_issue_s_actions_are_all_offered_with_other_last():
    offered = follow_up.kinds({"own_youth_team": "Youth team"})
    for code in ("strategy_meeting", "exploitation_panel", "nrm", "police_intelligence", "cawn",
                 "health", "education", "substance_misuse", "safety_plan_update"):
        assert code in offered
    assert list(offered)[-2:] == ["own_youth_team", "other"]
    assert list(vocabulary.ACTIONS)[-1] == "other"


def test_own_kinds_cannot_replace_a_shared_label():
    assert follow_up.kinds({"health": "Renamed"})["health"] == vocabulary.ACTIONS["health"]


def test_own_kinds_from_what_an_administrator_types():
    typed = "Youth offending team\n\n  Youth   offending team \nFamily group conference!\n"
    assert follow_up.parse_own_kinds(typed) == {
        "own_youth_offending_team": "Youth offending team",
        "own_family_group_conference": "Family group conference!"}
    assert follow_up.own_kind_code("!!!") == ""
