"""The manager's view of the team: what needs doing, by whom, and what is late."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from rhc_app.services.closing import closed_conversation_ids
from rhc_app.services.listing import Row, live_work, rows
from rhc_app.store.models import Conversation, Organisation


@dataclass
class Overview:
    due: list[Row] = field(default_factory=list)  # to offer or hold, clock running
    overdue: list[Row] = field(default_factory=list)
    due_soon: list[Row] = field(default_factory=list)
    no_found_time: list[Row] = field(default_factory=list)
    no_consent: list[Row] = field(default_factory=list)
    repeat: list[Row] = field(default_factory=list)
    offer_again: list[Row] = field(default_factory=list)
    unallocated: list[Row] = field(default_factory=list)
    oldest_unallocated: timedelta | None = None
    awaiting_signoff: list[Row] = field(default_factory=list)
    offer_again_days: int = 14  # the organisation's window for offer_again (and every list)


def overview(s: Session, org: Organisation, now: datetime) -> Overview:
    o = Overview(offer_again_days=int(org.setting("offer_again_days")))
    seen_repeat: set[str] = set()
    closed = closed_conversation_ids(s, org)  # no further offer: not live work
    # Declined or not completed only while an offer again is useful, as on "My conversations".
    for r in rows(s, org, Conversation.organisation_id == org.id, now, limit=2000,
                  live=live_work(org, now)):
        status = r.conversation.status
        codes = {f.code for f in r.flags}
        if status in ("to_offer", "offered", "accepted") and r.clock.state != "no_found_time":
            o.due.append(r)
            if r.clock.state == "overdue":
                o.overdue.append(r)
            elif r.clock.state == "due_soon":
                o.due_soon.append(r)
        if r.clock.state == "no_found_time":
            o.no_found_time.append(r)
        if "consent" in codes:
            o.no_consent.append(r)
        if "repeat" in codes and r.child.id not in seen_repeat:
            seen_repeat.add(r.child.id)
            o.repeat.append(r)
        if status in ("declined", "not_completed") and r.conversation.id not in closed:
            o.offer_again.append(r)
        if r.conversation.worker_id is None:
            o.unallocated.append(r)
        if status == "awaiting_signoff":
            o.awaiting_signoff.append(r)
    if o.unallocated:
        o.oldest_unallocated = now - min(r.episode.created_at for r in o.unallocated)
    return o
