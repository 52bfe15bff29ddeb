"""The manager's view of the team: what needs doing, by whom, and what is late. A summary:
each section's count and its most urgent few rows, and a paged list of each section alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rhc_app.domain.strategy import DecisionState
from rhc_app.domain.uk_time import today_in_london
from rhc_app.services import kept_figures, strategy
from rhc_app.services.listing import PAGE_SIZE, Page, Row, pages_for, rows
from rhc_app.services.live_facts import Fact, live_facts
from rhc_app.store.models import Conversation, Organisation, StrategyDecision

SHOWN = 10  # rows each section shows on the team page; "See all" pages the rest

_DUE = ("to_offer", "offered", "accepted")  # to offer or hold, clock running
# Each section: which live conversations it holds, most urgent first (listing.urgency_order).
SECTIONS: dict[str, Callable[[Fact], bool]] = {
    "overdue": lambda f: f.status in _DUE and f.clock == "overdue",
    "due_soon": lambda f: f.status in _DUE and f.clock == "due_soon",
    "due": lambda f: f.status in _DUE and f.clock != "no_found_time",
    "unallocated": lambda f: not f.allocated,
    "no_found_time": lambda f: f.clock == "no_found_time",
    "no_consent": lambda f: f.no_consent,
    # Declined or not completed only while an offer again is useful, and not closed (no
    # further offer: not live work).
    "offer_again": lambda f: f.status in ("declined", "not_completed") and not f.closed,
    "awaiting_signoff": lambda f: f.status == "awaiting_signoff",
    "repeat": lambda f: f.repeat,  # the child's most urgent conversation only: see below
}


@dataclass
class Overview:
    """Each section's most urgent SHOWN rows (o.overdue, ...) and its count (o.totals)."""

    due: list[Row] = field(default_factory=list)
    overdue: list[Row] = field(default_factory=list)
    due_soon: list[Row] = field(default_factory=list)
    no_found_time: list[Row] = field(default_factory=list)
    no_consent: list[Row] = field(default_factory=list)
    repeat: list[Row] = field(default_factory=list)
    offer_again: list[Row] = field(default_factory=list)
    unallocated: list[Row] = field(default_factory=list)
    awaiting_signoff: list[Row] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    oldest_unallocated: timedelta | None = None
    offer_again_days: int = 14  # the organisation's window for offer_again (and every list)


def sections(s: Session, org: Organisation, now: datetime) -> dict[str, list[Fact]]:
    """Every section's live conversations, most urgent first: plain facts, no names."""
    out: dict[str, list[Fact]] = {key: [] for key in SECTIONS}
    keys_of: dict[tuple[object, ...], list[str]] = {}
    for f in live_facts(s, org, now):
        # The sections read only these fields, and thousands of facts share a few hundred
        # kinds: each kind is sorted into its sections once.
        kind = (f.status, f.allocated, f.clock, f.repeat, f.no_consent, f.closed)
        keys = keys_of.get(kind)
        if keys is None:
            keys = keys_of[kind] = [key for key, holds in SECTIONS.items() if holds(f)]
        for key in keys:
            out[key].append(f)
    out["repeat"] = _first_per_child(out["repeat"])
    return out


def _first_per_child(facts: list[Fact]) -> list[Fact]:
    seen: set[str] = set()
    out = []
    for f in facts:
        if f.child_id not in seen:
            seen.add(f.child_id)
            out.append(f)
    return out


def overview(s: Session, org: Organisation, now: datetime) -> Overview:
    found = sections(s, org, now)
    shown = {key: facts[:SHOWN] for key, facts in found.items()}
    built = _rows(s, org, now, (f for facts in shown.values() for f in facts))
    o = Overview(offer_again_days=int(org.setting("offer_again_days")),
                 totals={key: len(facts) for key, facts in found.items()})
    for key, facts in shown.items():
        setattr(o, key, [built[f.conversation_id] for f in facts])
    if found["unallocated"]:
        o.oldest_unallocated = now - min(f.created_at for f in found["unallocated"]
                                         if f.created_at is not None)
    return o


def section_page(s: Session, org: Organisation, key: str, now: datetime, number: int,
                 size: int = PAGE_SIZE) -> Page:
    """Page `number` (from 1) of one section, most urgent first; out of range, no rows."""
    facts = sections(s, org, now)[key]
    total = len(facts)
    pages = pages_for(total, size)
    if not 1 <= number <= pages:
        return Page([], number, pages, total, size)
    wanted = facts[(number - 1) * size:number * size]
    built = _rows(s, org, now, wanted)
    return Page([built[f.conversation_id] for f in wanted], number, pages, total, size)


def _rows(s: Session, org: Organisation, now: datetime, facts: Iterable[Fact]
          ) -> dict[str, Row]:
    """The full rows (names, flags, who holds them) of the conversations shown, by id."""
    ids = list({f.conversation_id for f in facts})
    if not ids:
        return {}
    return {r.conversation.id: r
            for r in rows(s, org, Conversation.id.in_(ids), now, limit=len(ids), flagged=False)}


def decision_states(s: Session, org: Organisation, now: datetime
                    ) -> list[tuple[str, DecisionState]]:
    """strategy.due_decision_states, kept in this process (kept_figures.kept) while the
    organisation's figures version (every episode and setting), its decisions and the London
    day are the same: a year of episodes is read and worked through once, not per request.
    Only ids, codes and dates are kept. Within a day, an episode passing the year's lookback
    is dropped at the next change, not at once: a year is longer than any decision waits."""
    count, latest = s.execute(select(func.count(), func.max(StrategyDecision.recorded_at))
                              .where(StrategyDecision.organisation_id == org.id)).one()
    key = ("due_decisions", today_in_london(now), count, latest, strategy.rules_for(org))
    return kept_figures.kept(s, org, key, lambda: strategy.due_decision_states(s, org, now))
