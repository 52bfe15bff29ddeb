"""One conversation covering several missing episodes (issue 17).

A child missing again before the conversation about the last time was held is often seen
once about both. The conversation that is held *covers* the other episodes; each episode
keeps its own conversation row, marked "covered", so every figure still counts one row per
episode. These are the rules, as pure functions:

* what a covered episode's figures read (:func:`effective_facts`): the covering
  conversation's offer, outcome and time held, judged against the episode's *own* found time;
* where the covering conversation's 72-hour clock runs from (:func:`clock_found_at`): the
  latest found time among the episodes it must answer;
* when an episode may be attached (:func:`attach_problem`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from rhc_app.domain import uk_time
from rhc_app.domain.figures import EpisodeFacts

#: The status of an episode's own conversation while another conversation covers it.
COVERED = "covered"
#: An episode's own conversation may be covered only before anything was decided on it.
ATTACHABLE = ("to_offer", "offered")
#: A conversation may cover others until it is completed (or sent for sign-off), and not
#: after the child declined it or it ended not completed: offer it again first.
CAN_COVER = ("to_offer", "offered", "accepted", "in_progress")


@dataclass(frozen=True)
class OfferFacts:
    """What the figures read from a conversation: the offer, its outcome, when it was held."""

    offered_at: datetime | None = None
    outcome: str | None = None
    outcome_at: datetime | None = None
    held_at: datetime | None = None


def effective_facts(own: EpisodeFacts, covering: OfferFacts | None) -> EpisodeFacts:
    """The facts an episode is counted by: its own, or, while covered, the covering
    conversation's, as if it had been this episode's own conversation. The episode's found
    time stays its own, so "within 72 hours" is judged from when *this* child came back."""
    if covering is None:
        return own
    return replace(own, offered_at=covering.offered_at,
                   outcome=covering.outcome,  # type: ignore[arg-type]
                   held_at=covering.held_at)


def clock_found_at(found_times: Iterable[datetime | None]) -> datetime | None:
    """The found time a covering conversation's clock runs from: the latest of the episodes
    it answers (its own and those attached). An episode with no found time is not attached
    (see attach_problem), so None only when none is known."""
    known = [uk_time.as_utc(t) for t in found_times if t is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class Candidate:
    """What attach_problem needs about the episode to attach and its own conversation."""

    child_key: str
    found_at: datetime | None
    own_status: str
    covers_others: bool = False


def attach_problem(covering_status: str, covering_child: str, covering_held_at: datetime | None,
                   episode: Candidate) -> str | None:
    """Why this episode cannot be attached to this conversation (for the user), or None."""
    if covering_status not in CAN_COVER:
        return "This conversation is finished: it cannot cover another missing episode"
    if episode.child_key != covering_child:
        return "Choose a missing episode of the same child"
    if episode.own_status == COVERED:
        return "That missing episode is already covered by a conversation"
    if episode.own_status not in ATTACHABLE or episode.covers_others:
        return ("That missing episode has its own conversation under way: "
                "it cannot be covered by this one")
    if episode.found_at is None:
        return "Record when the child was found from that missing episode before attaching it"
    if covering_held_at is not None and \
            uk_time.as_utc(covering_held_at) < uk_time.as_utc(episode.found_at):
        return ("This conversation was held before the child was found from that missing "
                "episode, so it cannot cover it")
    return None
