"""One conversation covering several missing episodes (issue 17): attaching an episode of the
same child, detaching it with a reason, and keeping the covered episodes' figures true.

Each covered episode keeps its own conversation row, marked "covered"; :func:`sync` copies the
covering conversation's offer, outcome and time held onto it (domain.covering.effective_facts),
so the figures, their lists and the dataset export count it by their one definition
(figure_lists.conditions), judged against the episode's own found time. No Flask; the caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from rhc_app.domain import covering as rules
from rhc_app.domain import lifecycle, uk_time
from rhc_app.security import audit
from rhc_app.security.access import conversation_filter
from rhc_app.services.errors import CaseworkError
from rhc_app.store import figures_version
from rhc_app.store.db import utcnow
from rhc_app.store.models import Conversation, CoveredEpisode, Episode, User


def covered_by(s: Session, conv: Conversation) -> list[CoveredEpisode]:
    """The episodes this conversation covers besides its own (live links), oldest first."""
    return list(s.execute(
        select(CoveredEpisode).join(Episode, CoveredEpisode.episode_id == Episode.id)
        .where(CoveredEpisode.covering_conversation_id == conv.id,
               CoveredEpisode.detached_at.is_(None))
        .order_by(Episode.reported_missing_at, Episode.id)).scalars())


def covering_link(s: Session, conv: Conversation) -> CoveredEpisode | None:
    """The live link covering this (own) conversation's episode, if another conversation
    covers it."""
    return s.execute(select(CoveredEpisode).where(
        CoveredEpisode.covered_conversation_id == conv.id,
        CoveredEpisode.detached_at.is_(None))).scalars().first()


def clock_found_at(s: Session, conv: Conversation) -> datetime | None:
    """Where this conversation's 72-hour clock runs from: the latest found time it answers."""
    return rules.clock_found_at([conv.episode.found_at,
                                 *(link.episode.found_at for link in covered_by(s, conv))])


def covering_ids(s: Session, organisation_id: str) -> set[str]:
    """The organisation's conversations that cover other episodes now."""
    return set(s.execute(select(CoveredEpisode.covering_conversation_id).where(
        CoveredEpisode.organisation_id == organisation_id,
        CoveredEpisode.detached_at.is_(None))).scalars())


def held_problems(s: Session, conv: Conversation, held_at: datetime | None) -> dict[str, str]:
    """A time held before the child was found from an episode this conversation covers
    cannot answer that episode: the problem, by form field, for the canvas."""
    if held_at is None:
        return {}
    for link in covered_by(s, conv):
        found = link.episode.found_at
        if found is not None and uk_time.as_utc(held_at) < uk_time.as_utc(found):
            return {"held_at": "The conversation cannot have been held before the child was "
                               "found from a missing episode it covers"}
    return {}


def _covers_others(s: Session, conv_id: str) -> bool:
    return bool(s.execute(select(exists().where(
        CoveredEpisode.covering_conversation_id == conv_id,
        CoveredEpisode.detached_at.is_(None)))).scalar())


def _candidate(s: Session, own: Conversation) -> rules.Candidate:
    return rules.Candidate(child_key=own.episode.child_id, found_at=own.episode.found_at,
                           own_status=own.status, covers_others=_covers_others(s, own.id))


def own_conversation(s: Session, user: User, episode_id: str) -> Conversation | None:
    """An episode's own conversation, if ``user`` may open it (else None: not found)."""
    return s.execute(select(Conversation).where(Conversation.episode_id == episode_id,
                                                conversation_filter(user))).scalar_one_or_none()


def candidates(s: Session, user: User, conv: Conversation) -> list[Episode]:
    """The child's other episodes this conversation could cover, whose conversation ``user``
    may open, oldest first."""
    if conv.status not in rules.CAN_COVER:
        return []
    found = s.execute(
        select(Conversation).join(Episode, Conversation.episode_id == Episode.id)
        .where(Episode.child_id == conv.episode.child_id, Conversation.id != conv.id,
               # only those the rules could allow: a child's long history is not read a row
               # at a time on every page
               Conversation.status.in_(rules.ATTACHABLE), Episode.found_at.is_not(None),
               conversation_filter(user))
        .order_by(Episode.reported_missing_at, Episode.id)).scalars()
    return [own.episode for own in found
            if rules.attach_problem(conv.status, conv.episode.child_id, conv.held_at,
                                    _candidate(s, own)) is None]


def attach(s: Session, user: User, conv: Conversation, own: Conversation) -> CoveredEpisode:
    """Let ``conv`` cover ``own``'s episode: ``own`` leaves the lists of conversations to
    offer and is counted by ``conv``'s facts until detached. Both must be ``user``'s to open
    (the caller loads them through the access filters)."""
    if _covering(s, conv):
        raise CaseworkError("This conversation is itself covered by another conversation",
                            "episode_id")
    problem = rules.attach_problem(conv.status, conv.episode.child_id, conv.held_at,
                                   _candidate(s, own))
    if problem:
        raise CaseworkError(problem, "episode_id")
    # Compare-and-swap on the status: two conversations attaching it at once, one wins.
    won = s.execute(update(Conversation).where(Conversation.id == own.id,
                                               Conversation.status == own.status)
                    .values(status=rules.COVERED)
                    .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        raise CaseworkError("That missing episode is already covered by a conversation",
                            "episode_id")
    figures_version.mark(s, [conv.organisation_id])  # a Core update: the listener misses it
    link = CoveredEpisode(organisation_id=conv.organisation_id,
                          covering_conversation_id=conv.id, episode_id=own.episode_id,
                          covered_conversation_id=own.id, attached_by=user.id,
                          status_before=own.status, offered_at_before=own.offered_at)
    s.add(link)
    own.status = rules.COVERED
    _copy_facts(conv, own, user)
    s.flush()
    for record_id in (conv.id, own.id):
        audit.record(s, "episode_attached", user_id=user.id, org_id=user.organisation_id,
                     record_type="conversation", record_id=record_id,
                     detail=f"link {link.id}")
    return link


def _covering(s: Session, conv: Conversation) -> bool:
    return covering_link(s, conv) is not None


def detach(s: Session, user: User, conv: Conversation, link_id: str, reason: str
           ) -> CoveredEpisode:
    """Stop ``conv`` covering an episode: its own conversation goes back to where it stood
    when attached (to offer, or offered at the time it was), and the reason is kept."""
    link = next((c for c in covered_by(s, conv) if c.id == link_id), None)
    if link is None:
        raise CaseworkError("That missing episode is not covered by this conversation")
    if lifecycle.is_read_only(conv.status):  # declined: it may still go back on its own
        raise CaseworkError("This conversation is finished: the episodes it covers stay "
                            "with it", "reason")
    if not reason.strip():
        raise CaseworkError("Enter why this missing episode is no longer covered", "reason")
    link.detached_at = utcnow()
    link.detached_by = user.id
    link.detach_reason = reason.strip()
    own = link.covered
    own.status = link.status_before
    own.offered_at = link.offered_at_before
    own.outcome = own.outcome_at = own.held_at = None
    own.updated_at = utcnow()
    own.updated_by = user.id
    for record_id in (conv.id, own.id):
        audit.record(s, "episode_detached", user_id=user.id, org_id=user.organisation_id,
                     record_type="conversation", record_id=record_id,
                     detail=f"link {link.id}")
    return link


def _copy_facts(conv: Conversation, own: Conversation, user: User | None) -> None:
    facts = covering_facts(conv)
    own.offered_at, own.outcome = facts.offered_at, facts.outcome
    own.outcome_at, own.held_at = facts.outcome_at, facts.held_at
    own.updated_at = utcnow()
    own.updated_by = user.id if user else own.updated_by


def covering_facts(conv: Conversation) -> rules.OfferFacts:
    return rules.OfferFacts(offered_at=conv.offered_at, outcome=conv.outcome,
                            outcome_at=conv.outcome_at, held_at=conv.held_at)


def sync(s: Session, conv: Conversation, user: User | None = None) -> None:
    """After ``conv``'s offer, outcome or time held changed: the episodes it covers are
    counted by the same facts (completing it completes their figures with it)."""
    for link in covered_by(s, conv):
        _copy_facts(conv, link.covered, user)


@dataclass(frozen=True)
class CoveredSummary:
    """A covered episode as the conversation page and the PDFs list it."""

    link_id: str
    reported_missing_at: datetime
    found_at: datetime | None
    found_where: str
    police_reference: str
    own_conversation_id: str


def summaries(s: Session, conv: Conversation) -> list[CoveredSummary]:
    return [CoveredSummary(link.id, link.episode.reported_missing_at, link.episode.found_at,
                           link.episode.found_where or "", link.episode.police_reference or "",
                           link.covered_conversation_id)
            for link in covered_by(s, conv)]
