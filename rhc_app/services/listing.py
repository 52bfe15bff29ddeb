"""Rows for conversation lists (the worker's day, the manager's dashboard): clock and flags,
computed with a fixed number of queries however long the list. The database filters, orders
and pages them; only the rows shown are loaded, and only their names decrypted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, Subquery, case, func, select, true, union, union_all
from sqlalchemy import Row as Past
from sqlalchemy.orm import Session, load_only

from rhc_app.domain import covering, flags, uk_time
from rhc_app.services import child_history
from rhc_app.store.models import Child, Conversation, CoveredEpisode, Episode, Organisation, User

LIST_COLUMNS = (Conversation.id, Conversation.episode_id, Conversation.worker_id,
                Conversation.status, Conversation.outcome, Conversation.outcome_at,
                Conversation.held_at, Conversation.consent_to_share)

# Work still to do, and work that waits on someone else or on a new offer: listed after it.
WORK_STATUSES = ("to_offer", "offered", "accepted", "in_progress")
OFFER_AGAIN = ("declined", "not_completed")
OPEN_STATUSES = (*WORK_STATUSES, *OFFER_AGAIN, "awaiting_signoff")
PAGE_SIZE = 50


@dataclass
class Row:
    conversation: Conversation
    episode: Episode
    child: Child
    clock: uk_time.ClockState
    flags: list[flags.Flag]
    worker_name: str | None


@dataclass
class Page:
    """One page of a list: its rows, which page it is, and how many there are."""

    rows: list[Row]
    number: int
    pages: int
    total: int
    size: int = PAGE_SIZE

    @property
    def out_of_range(self) -> bool:
        return not 1 <= self.number <= self.pages


def pages_for(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages `total` rows make, `size` to a page: at least one, empty or not."""
    return max(1, -(-total // size))


# An imported outcome has no time of its own: the first of these stands for it (live_work).
OUTCOME_STOOD_FOR = (Conversation.offered_at, Episode.found_at, Episode.reported_missing_at)


def offer_again_since(org: Organisation, now: datetime) -> datetime:
    """The earliest outcome time at which a declined or not completed conversation is still
    live work at `now`: the organisation's offer_again_days before it."""
    return now - timedelta(days=int(org.setting("offer_again_days")))


def live_work(org: Organisation, now: datetime,
              holders: Sequence[ColumnElement[bool]] = ()) -> Subquery:
    """The ids of open work, and of a declined or not completed conversation only while an
    offer again is still useful (the organisation's offer_again_days since the outcome).
    Older ones, and everything done, are on the child's page. With `holders` (the parts of
    security.access.own_work), only the conversations each selects.

    Three ranges of the (organisation, status, outcome_at) index (migration 0008ls), or of
    (organisation, worker, status, outcome_at) for a holder (0010lists): the lists join it
    first, so however long the history, its old conversations are never read. An imported
    outcome has no time of its own: the offer's or the episode's stands for it."""
    since = offer_again_since(org, now)
    again = Conversation.status.in_(OFFER_AGAIN)
    stood_for = func.coalesce(*OUTCOME_STOOD_FOR)
    branches = []
    for holder in holders or (true(),):
        mine = select(Conversation.id).where(Conversation.organisation_id == org.id, holder)
        branches += [
            mine.where(Conversation.status.in_((*WORK_STATUSES, "awaiting_signoff"))),
            mine.where(again, Conversation.outcome_at >= since),
            mine.join(Episode, Conversation.episode_id == Episode.id)
            .where(again, Conversation.outcome_at.is_(None), stood_for >= since)]
    # A conversation both held and shared is in two branches: listed once.
    return (union(*branches) if len(branches) > 3 else union_all(*branches)).subquery()


def urgency_order() -> tuple[ColumnElement[object], ...]:
    """Most urgent first: work to do before work waiting on a new offer or a sign-off; then
    the 72 hours (a fixed time after found: the earliest found is the most overdue), no found
    time last; then the id, so pages never overlap. As uk_time.urgency_key, in SQL."""
    waiting = case((Conversation.status.in_((*OFFER_AGAIN, "awaiting_signoff")), 1), else_=0)
    return (waiting, Episode.found_at.is_(None), Episode.found_at, Conversation.id)


def worker_day(s: Session, org: Organisation, where: ColumnElement[bool], now: datetime,
               number: int, size: int = PAGE_SIZE,
               holders: Sequence[ColumnElement[bool]] = ()) -> Page:
    """Page `number` (from 1) of the live work `where` selects, most urgent first. A page out
    of range has no rows (the caller says so); the count reads only live work (`holders`'s
    alone if given: see live_work)."""
    live = live_work(org, now, holders)
    total = s.execute(select(func.count()).select_from(live)
                      .join(Conversation, Conversation.id == live.c.id)
                      .where(where)).scalar_one()
    pages = pages_for(total, size)
    if not 1 <= number <= pages:
        return Page([], number, pages, total, size)
    return Page(rows(s, org, where, now, limit=size, offset=(number - 1) * size, live=live),
                number, pages, total, size)


def rows(s: Session, org: Organisation, where: ColumnElement[bool], now: datetime,
         statuses: tuple[str, ...] = OPEN_STATUSES, limit: int = 500, offset: int = 0,
         live: Subquery | None = None, flagged: bool = True) -> list[Row]:
    """The rows `where` selects, most urgent first; only those in `live` (live_work) if given.
    Not `flagged`: no flags worked out (the team page's tables show none)."""
    query: Select[tuple[Conversation, Episode, Child]] = select(Conversation, Episode, Child)
    if live is not None:
        query = query.select_from(live).join(Conversation, Conversation.id == live.c.id)
    # A list shows no notes: never load (or decrypt) the sealed record, a few KB a row.
    found = s.execute(
        query.join(Episode, Conversation.episode_id == Episode.id)
        .join(Child, Episode.child_id == Child.id)
        .where(where, Conversation.status.in_(statuses))
        .options(load_only(*LIST_COLUMNS), load_only(Child.id, Child.name_enc),
                 load_only(Episode.id, Episode.child_id, Episode.reported_missing_at,
                           Episode.found_at, Episode.police_risk, Episode.created_at))
        .order_by(*urgency_order())
        .limit(limit).offset(offset)).all()
    return _with_flags(s, org, list(found), now, flagged)


def _with_flags(s: Session, org: Organisation, found: list[Past], now: datetime,
                flagged: bool = True) -> list[Row]:
    child_ids = list({c.id for _, _, c in found})
    counts: dict[str, int] = {}
    repeats: set[str] = set()
    latest_held: dict[str, list[child_history.Held]] = {}
    if flagged:
        counts = child_history.window_counts(s, org, (e.id for _, e, _ in found))
        repeats = child_history.repeats(s, org, (
            child_history.Counted(e.id, c.id, e.reported_missing_at, counts.get(e.id, 0))
            for _, e, c in found))
        latest_held = child_history.latest_held(s, child_ids)
    worker_ids = ({h.worker_id for held in latest_held.values() for h in held}
                  | {conv.worker_id for conv, _, _ in found if conv.worker_id})
    names: dict[str, str] = {}
    if worker_ids:
        names = {u.id: u.name for u in s.execute(select(User).where(User.id.in_(worker_ids)))
                 .scalars()}
    window = int(org.setting("repeat_window_days"))
    covered = _covered_found_times(s, [conv.id for conv, _, _ in found])
    out = []
    for conv, episode, child in found:
        row_flags: list[flags.Flag] = []
        if flagged:
            # The worker the child last spoke to in another conversation (continuity).
            cont = flags.continuity_worker([flags.PastConversation(h.worker_id, h.held_at)
                                            for h in latest_held.get(child.id, [])
                                            if h.conversation_id != conv.id])
            row_flags = flags.flags_for(
                episode_count_30d=counts.get(episode.id, 0), repeat=episode.id in repeats,
                window_days=window, police_risk=episode.police_risk, found_at=episode.found_at,
                consent_to_share=conv.consent_to_share, status=conv.status,
                continuity_name=names.get(cont) if cont else None,
                holder_is_continuity=cont == conv.worker_id)
        out.append(Row(conv, episode, child, _clock(conv, episode, covered.get(conv.id, []), now),
                       row_flags, names.get(conv.worker_id or "")))
    return out


def _covered_found_times(s: Session, conversation_ids: list[str]
                         ) -> dict[str, list[datetime | None]]:
    """For each listed conversation covering other episodes, their found times."""
    out: dict[str, list[datetime | None]] = defaultdict(list)
    for i in range(0, len(conversation_ids), 1000):  # bounded IN lists
        for conv_id, found_at in s.execute(
                select(CoveredEpisode.covering_conversation_id, Episode.found_at)
                .join(Episode, CoveredEpisode.episode_id == Episode.id)
                .where(CoveredEpisode.covering_conversation_id.in_(conversation_ids[i:i + 1000]),
                       CoveredEpisode.detached_at.is_(None))):
            out[conv_id].append(found_at)
    return out


def _clock(conv: Conversation, episode: Episode, covered: list[datetime | None],
           now: datetime) -> uk_time.ClockState:
    return clock_of(conv.held_at, conv.outcome, conv.outcome_at, [episode.found_at, *covered],
                    now)


def clock_of(held_at: datetime | None, outcome: str | None, outcome_at: datetime | None,
             found_times: list[datetime | None], now: datetime) -> uk_time.ClockState:
    """The 72-hour clock of a conversation answering episodes found at `found_times` (its own
    first, then those it covers)."""
    stopped = held_at or (outcome_at if outcome in ("declined", "not_completed") else None)
    # A conversation covering other episodes answers the latest of them (issue 17).
    return uk_time.clock(covering.clock_found_at(found_times), now, stopped)
