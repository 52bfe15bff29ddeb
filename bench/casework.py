"""What follows the seeded conversations, as the app's services would have made it: the
follow-up actions of each record (one per action ticked, owned by the worker, as
services/follow_up.py `sync_ticked` makes them, then worked: most done by their due day,
some not done with a reason, a few still open and overdue), a few strategy meeting decisions
for the children who go missing most (services/strategy.py `record_decision`), and the
people and places index rows of every canvas (services/links.py `index_rows`, what `reindex`
writes on every save). Deterministic: drawn from the seed's rng.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from rhc_app.crypto import KeyRing
from rhc_app.domain.uk_time import to_london
from rhc_app.services.links import index_rows
from rhc_app.store.models import Conversation, FollowUpAction, LinkToken, StrategyDecision

NOT_DONE = ("The child would not engage with the referral.",
            "The service's waiting list was closed; referred elsewhere.",
            "The family moved out of the area before it could happen.")
DONE = ("Referral accepted; first appointment booked.", "Done at the next visit.",
        "Shared with the police missing persons unit.", None)


def actions(rng: random.Random, conv: Conversation, now: datetime) -> list[FollowUpAction]:
    """The record's ticked actions, each due a week to four weeks after the conversation.
    Old ones are nearly all closed; recent ones are more often still open."""
    if conv.worker_id is None or not conv.actions:
        return []
    held = conv.held_at or conv.updated_at
    today = to_london(now).date()
    out = []
    for code in conv.actions:
        due = to_london(held).date() + timedelta(days=rng.randint(7, 28))
        age = (today - due).days
        still_open = 0.5 if age < 0 else 0.12 if age < 30 else 0.004
        status = "open" if rng.random() < still_open else \
            rng.choices(("done", "not_done"), (88, 12))[0]
        action = FollowUpAction(organisation_id=conv.organisation_id, conversation_id=conv.id,
                                kind=code, owner_id=conv.worker_id, due_on=due, status=status,
                                source="record", created_at=held, created_by=conv.worker_id)
        if status != "open":
            closed = min(datetime.combine(due, held.timetz()) - timedelta(
                days=rng.randint(0, 6)), now)
            action.closed_at = action.updated_at = max(closed, held)
            action.updated_by = conv.worker_id
            action.outcome = rng.choice(NOT_DONE) if status == "not_done" else rng.choice(DONE)
        out.append(action)
    return out


def links(ring: KeyRing, conv: Conversation, child_id: str) -> list[LinkToken]:
    """The index rows of one canvas: the service's own function, so the rows are exactly
    what a save would have written."""
    return index_rows(ring, conv, child_id) if conv.record_enc else []


def decisions(rng: random.Random, org_id: str, episodes_by_child: dict[str, list[tuple[
        str, datetime]]], manager_ids: list[str], now: datetime, count: int
              ) -> list[StrategyDecision]:
    """Strategy meeting decisions for the children missing most: held (with its chair),
    booked for the coming days, or not needed (a manager's, with the reason)."""
    busiest = sorted(episodes_by_child.items(), key=lambda kv: -len(kv[1]))[:count]
    out = []
    for child_id, episodes in busiest:
        episode_id, reported = max(episodes, key=lambda e: e[1])
        kind = rng.choices(("held", "booked", "not_needed"), (60, 25, 15))[0]
        recorded = min(reported + timedelta(days=rng.uniform(1, 5)), now)
        meeting: date | None = to_london(recorded).date()
        if kind == "booked":
            meeting = to_london(now).date() + timedelta(days=rng.randint(1, 10))
        decision = StrategyDecision(organisation_id=org_id, child_id=child_id,
                                    episode_id=episode_id, prompt="repeat", kind=kind,
                                    meeting_on=meeting if kind != "not_needed" else None,
                                    recorded_at=recorded, recorded_by=rng.choice(manager_ids))
        decision.chair = "Detective Sergeant Lowe" if kind == "held" else None
        decision.reason = ("Already open to the exploitation panel; the plan is in place."
                           if kind == "not_needed" else None)
        out.append(decision)
    return out
