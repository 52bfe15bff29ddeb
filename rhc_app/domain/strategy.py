"""Strategy meeting decisions, and the clocks that run while a child is still missing.

The rules, in one place (the services feed them plain facts; nothing here reads a database):

* **Trigger.** An episode *reaches the threshold* when, counting itself, the child has
  `threshold` or more episodes reported within the `window_days` up to its report (the
  repeat-missing rule of `flags.episodes_in_window`). Each such episode is a trigger, and the
  trigger belongs to that episode.
* **In care.** An episode of a child in care is a trigger of its own (a meeting by the
  `in_care_meeting_day`-th day of missing, day 1 being the day reported): while the child is
  still missing, or if they were found only after that day had ended.
* **Covers.** A decision covers a trigger when it was recorded at or after the triggering
  episode was reported (it was made knowing about it), so one decision covers every trigger
  up to the next episode that reaches the threshold again, which needs a new decision. A
  meeting *booked* also covers episodes reported up to the end of its day: it will hear them.
* **Due.** An uncovered repeat trigger is due within `decision_working_days` working days
  (Monday to Friday; bank holidays are not known here, so they count) of the London date it
  was reported, 5 by default so that a weekly missing meeting always falls inside it; an
  in-care trigger is due by the end of its meeting day. After that it is overdue.
* **Booked, not held.** When the latest decision is a booking and its date has passed with
  nothing recorded since, the decision is overdue again: record that it was held, or book it
  again.
* **Senior manager.** A child missing for `senior_manager_hours` (72 by default, real hours)
  or more with no record that a senior manager was told: a manager must tell one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rhc_app.domain import flags, uk_time


@dataclass(frozen=True)
class Rules:
    threshold: int = 3
    window_days: int = 30
    decision_working_days: int = 5
    in_care_meeting_day: int = 3
    senior_manager_hours: int = 72


@dataclass(frozen=True)
class EpisodeFact:
    id: str
    reported_at: datetime
    found_at: datetime | None = None
    in_care: bool = False


@dataclass(frozen=True)
class DecisionFact:
    kind: str  # a code of vocabulary.STRATEGY_DECISIONS: held | booked | not_needed
    recorded_at: datetime
    meeting_on: date | None = None  # the day held, or booked for


@dataclass(frozen=True)
class Trigger:
    episode: EpisodeFact
    prompt: str  # a code of vocabulary.STRATEGY_PROMPTS
    due_on: date


@dataclass(frozen=True)
class DecisionState:
    state: str  # "none" | "booked" | "due" | "overdue" (vocabulary.STRATEGY_STATES)
    prompt: str | None = None  # why a decision is needed, when one is
    episode: EpisodeFact | None = None  # the episode the open trigger belongs to
    due_on: date | None = None
    latest: DecisionFact | None = None

    @property
    def needs_decision(self) -> bool:
        return self.state in ("due", "overdue")


def add_working_days(day: date, n: int) -> date:
    """The `n`-th weekday after `day` (a Saturday report counts from the Monday)."""
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _ordered(episodes: Sequence[EpisodeFact]) -> list[EpisodeFact]:
    return sorted(episodes, key=lambda e: uk_time.as_utc(e.reported_at))


def repeat_triggers(episodes: Sequence[EpisodeFact], rules: Rules) -> list[EpisodeFact]:
    """The episodes that reach the threshold, oldest first."""
    ordered = _ordered(episodes)
    times = [uk_time.as_utc(e.reported_at) for e in ordered]
    return [e for e, at in zip(ordered, times, strict=True)
            if flags.is_repeat(flags.episodes_in_window(times, at, rules.window_days),
                               rules.threshold)]


def in_care_due_on(reported_at: datetime, rules: Rules) -> date:
    """The last day a meeting for a child missing from care is in time: day 1 is the day the
    child was reported missing (London calendar)."""
    return uk_time.london_date(reported_at) + timedelta(days=rules.in_care_meeting_day - 1)


def triggers(episodes: Sequence[EpisodeFact], rules: Rules) -> list[Trigger]:
    out = [Trigger(e, "repeat", add_working_days(uk_time.london_date(e.reported_at),
                                                 rules.decision_working_days))
           for e in repeat_triggers(episodes, rules)]
    for e in _ordered(episodes):
        if not e.in_care:
            continue
        due = in_care_due_on(e.reported_at, rules)
        if e.found_at is None or uk_time.london_date(e.found_at) > due:
            out.append(Trigger(e, "in_care", due))
    return out


def covers(decision: DecisionFact, episode: EpisodeFact) -> bool:
    if uk_time.as_utc(decision.recorded_at) >= uk_time.as_utc(episode.reported_at):
        return True
    return (decision.kind == "booked" and decision.meeting_on is not None
            and uk_time.london_date(episode.reported_at) <= decision.meeting_on)


def covered(episode: EpisodeFact, decisions: Sequence[DecisionFact]) -> bool:
    return any(covers(d, episode) for d in decisions)


def decision_state(episodes: Sequence[EpisodeFact], decisions: Sequence[DecisionFact],
                   rules: Rules, now: datetime) -> DecisionState:
    """Where one child's strategy meeting decision stands."""
    today = uk_time.today_in_london(now)
    latest = max(decisions, key=lambda d: uk_time.as_utc(d.recorded_at), default=None)
    open_ = [t for t in triggers(episodes, rules) if not covered(t.episode, decisions)]
    if open_:
        first = min(open_, key=lambda t: (t.due_on, uk_time.as_utc(t.episode.reported_at)))
        return DecisionState("overdue" if today > first.due_on else "due", first.prompt,
                             first.episode, first.due_on, latest)
    if latest is not None and latest.kind == "booked" and latest.meeting_on is not None:
        if today > latest.meeting_on:
            return DecisionState("overdue", "booked_not_held", None, latest.meeting_on, latest)
        return DecisionState("booked", None, None, latest.meeting_on, latest)
    return DecisionState("none", latest=latest)


def missing_for(reported_at: datetime, now: datetime) -> timedelta:
    """How long the child has been missing, in real (UTC) time; never negative."""
    return max(uk_time.as_utc(now) - uk_time.as_utc(reported_at), timedelta(0))


def missing_words(reported_at: datetime, now: datetime) -> str:
    """E.g. "2 days 4 hours": as the still-missing list says it."""
    return uk_time.format_time_left(missing_for(reported_at, now))


def senior_manager_due(reported_at: datetime, found_at: datetime | None, now: datetime,
                       rules: Rules, told: bool) -> bool:
    """Whether a manager must now tell a senior manager: still missing, for the set hours
    or more, and no one has been told yet."""
    if told or found_at is not None:
        return False
    return missing_for(reported_at, now) >= timedelta(hours=rules.senior_manager_hours)
