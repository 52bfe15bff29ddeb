"""A conversation from offer to sign-off: contact attempts, the outcome of the offer, saving
the record, completing it, the manager's sign-off, and amending it once completed.

Plain functions over a database session; no Flask. Each raises `CaseworkError` with a message
for the user when a rule is broken, and leaves committing to the caller (one transaction).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from rhc_app.domain import lifecycle
from rhc_app.security import audit
from rhc_app.services import covering, follow_up, links, oversight
from rhc_app.services.canvas import check_canvas, normalise_canvas, parse_held_at
from rhc_app.services.conversation_fields import (
    OfferFields,
    apply_offer_fields,
    canvas_columns,
    canvas_problems,
)
from rhc_app.services.drafts import discard_draft
from rhc_app.services.errors import CaseworkError
from rhc_app.store import figures_version
from rhc_app.store.db import utcnow
from rhc_app.store.models import ContactAttempt, Conversation, Episode, Organisation, User


# -- offering -------------------------------------------------------------------------------
def record_attempt(s: Session, user: User, conv: Conversation, at: datetime, method: str,
                   result: str | None, now: datetime | None = None) -> ContactAttempt:
    if lifecycle.is_read_only(conv.status):
        raise CaseworkError(lifecycle.read_only_message(conv.status), "at")
    if at > (now or utcnow()):
        raise CaseworkError("The time of the attempt must be now or in the past", "at")
    attempt = ContactAttempt(conversation_id=conv.id, at=at, method=method, result=result,
                             by_user_id=user.id)
    s.add(attempt)
    s.flush()
    audit.record(s, "contact_attempt", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id)
    return attempt


def record_outcome(s: Session, user: User, conv: Conversation, action: str, at: datetime,
                   reason: str | None = None, now: datetime | None = None,
                   fields: OfferFields | None = None) -> None:
    """Offer (again), or record accepted / declined / not completed (or a decision not to
    offer, recorded as not completed with who decided)."""
    if at > (now or utcnow()):
        raise CaseworkError("The date and time must be now or in the past", "at")
    episode = s.get(Episode, conv.episode_id)
    assert episode is not None
    action = apply_offer_fields(conv, episode, user.organisation, action, at, reason,
                                fields or OfferFields())
    if episode.found_at is not None and at < episode.found_at and action != "not_completed":
        raise CaseworkError("This must be after the child was found", "at")
    try:
        conv.status = lifecycle.next_status(conv.status, action)
    except lifecycle.TransitionError as exc:
        raise CaseworkError(str(exc)) from exc
    if action == "offer":
        conv.offered_at = at
        conv.outcome = None
        conv.outcome_at = None
        conv.outcome_reason = None
    else:
        if not conv.not_offered:  # a decision not to offer is not an offer
            conv.offered_at = conv.offered_at or at
        conv.outcome = action
        conv.outcome_at = at
        conv.outcome_reason = reason or None
    conv.updated_at = utcnow()
    conv.updated_by = user.id
    covering.sync(s, conv, user)
    audit.record(s, f"conversation_{action}", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id)


# -- the canvas -----------------------------------------------------------------------------
@dataclass
class SaveResult:
    applied: bool
    version: int
    theirs: dict[str, Any] | None = None  # the stored canvas, when the save conflicted
    problems: dict[str, str] = field(default_factory=dict)



def save_canvas(s: Session, user: User, conv: Conversation, canvas: dict[str, Any],
                base_version: int, now: datetime | None = None, *,
                resolves_draft: bool = False, session_key: str = "", strict: bool = False
                ) -> SaveResult:
    """Compare-and-swap on the version: a save based on an old version never overwrites a
    newer one silently; it is answered with the stored canvas so both can be shown."""
    now = now or utcnow()
    if lifecycle.is_read_only(conv.status):
        raise CaseworkError(lifecycle.read_only_message(conv.status))
    try:
        status = lifecycle.next_status(conv.status, "edit")
    except lifecycle.TransitionError as exc:
        raise CaseworkError(str(exc)) from exc
    canvas = normalise_canvas(canvas)
    episode = s.get(Episode, conv.episode_id)
    assert episode is not None
    problems = (check_canvas(canvas, episode, now) | canvas_problems(
        canvas, episode, user.organisation, strict)) or covering.held_problems(
        s, conv, parse_held_at(canvas["details"].get("held_at")))
    if problems:
        return SaveResult(False, conv.version, problems=problems)
    held_at = parse_held_at(canvas["details"].get("held_at"))
    before = conv.canvas  # as stored: the index is rebuilt only if its entries changed
    text = json.dumps(canvas, ensure_ascii=False, sort_keys=True)
    blob = s.info["keyring"].seal(text, Conversation.record.context(conv))
    consent = canvas["details"].get("consent_to_share") or None
    counted = {"status": status, "held_at": held_at, "consent_to_share": consent,
               "risk_factors": list(canvas["risk_factors"]), **canvas_columns(canvas)}
    counted_before = {k: getattr(conv, k) for k in counted}
    result = s.execute(
        update(Conversation)
        .where(Conversation.id == conv.id, Conversation.version == base_version)
        .values(record_enc=blob, version=base_version + 1, actions=list(canvas["actions"]),
                updated_at=now, updated_by=user.id, **counted)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        s.refresh(conv)
        return SaveResult(False, conv.version, theirs=conv.canvas)
    s.refresh(conv)
    if any(getattr(conv, k) != v for k, v in counted_before.items()):
        # A Core update: the figures' listener never sees it. Notes alone change no figure
        # (consent does: the team page keeps it, services/live_facts.py).
        figures_version.mark(s, [conv.organisation_id])
    if resolves_draft:  # saved from the page that showed the kept text: it is merged now
        discard_draft(s, conv.id, user.id, session_key)
    follow_up.sync_ticked(s, user, conv)
    covering.sync(s, conv, user)  # the time held counts for the episodes it covers too
    links.reindex(s, conv, before, canvas)
    audit.record(s, "conversation_saved", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id)
    return SaveResult(True, conv.version)



# -- completing -----------------------------------------------------------------------------
def complete(s: Session, user: User, conv: Conversation, org: Organisation) -> None:
    canvas = conv.canvas
    if not canvas.get("details", {}).get("held_at"):
        raise CaseworkError("Enter when the conversation was held before completing it",
                            "held_at")
    if conv.consent_to_share is None:
        raise CaseworkError("Record whether the child consents to sharing with police before "
                            "completing", "consent_to_share")
    episode = s.get(Episode, conv.episode_id)
    assert episode is not None
    problems = canvas_problems(normalise_canvas(canvas), episode, org, strict=True)
    if problems:
        name, problem = next(iter(problems.items()))
        raise CaseworkError(problem, name)
    try:
        conv.status = lifecycle.next_status(conv.status, "complete",
                                            require_signoff=bool(org.setting("require_signoff")))
    except lifecycle.TransitionError as exc:
        raise CaseworkError(str(exc)) from exc
    conv.completed_at = utcnow()
    conv.completed_by = user.id
    conv.version += 1
    links.reindex(s, conv)  # the same entries, but a mention's date may now be held_at
    audit.record(s, "conversation_completed", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id)


def held_or_completed_by(conv: Conversation, user: User) -> bool:
    """Sign-off is a second person's check: never the holder's or the completer's own."""
    return user.id in (conv.worker_id, conv.completed_by)


def sign_off(s: Session, manager: User, conv: Conversation, approve: bool,
             reason: str = "") -> None:
    """Approve (``reason`` is then an optional comment), or return to the worker with the
    reason (needed: they must know what to change). Both are kept in the record's history."""
    if approve and held_or_completed_by(conv, manager):
        raise CaseworkError("You held or completed this conversation, so another manager must "
                            "sign it off")
    if not approve and not reason.strip():
        raise CaseworkError("Enter what the worker needs to change", "reason")
    try:
        conv.status = lifecycle.next_status(conv.status, "sign_off" if approve else "return")
    except lifecycle.TransitionError as exc:
        raise CaseworkError(str(exc)) from exc
    at = utcnow()
    if approve:
        conv.signed_off_at = at
        conv.signed_off_by = manager.id
    else:
        conv.returned_at = at
        conv.returned_by = manager.id
        conv.return_reason = reason.strip()
    oversight.record_decision(s, manager, conv, "signed_off" if approve else "returned",
                              reason, at)
    conv.version += 1
    audit.record(s, "conversation_signed_off" if approve else "conversation_returned",
                 user_id=manager.id, org_id=manager.organisation_id,
                 record_type="conversation", record_id=conv.id)


def amend(s: Session, user: User, conv: Conversation, canvas: dict[str, Any], reason: str
          ) -> None:
    """Change a completed record: the previous version and the reason are kept."""
    from rhc_app.store.models import Amendment

    if conv.status != "completed":
        raise CaseworkError("Only a completed conversation is amended")
    if not reason.strip():
        raise CaseworkError("Enter the reason for the amendment", "reason")
    canvas = normalise_canvas(canvas)
    problems = canvas_problems(canvas, conv.episode, user.organisation, strict=True)
    if problems:
        name, problem = next(iter(problems.items()))
        raise CaseworkError(problem, f"detail-{name}")
    s.add(Amendment(conversation_id=conv.id, by_user_id=user.id, reason=reason.strip(),
                    before=conv.record))
    conv.canvas = canvas
    conv.held_at = parse_held_at(canvas["details"].get("held_at"))
    conv.consent_to_share = canvas["details"].get("consent_to_share") or None
    conv.risk_factors = list(canvas["risk_factors"])
    conv.actions = list(canvas["actions"])
    follow_up.sync_ticked(s, user, conv)
    for name, value in canvas_columns(canvas).items():
        setattr(conv, name, value)
    covering.sync(s, conv, user)
    conv.version += 1
    conv.updated_at = utcnow()
    conv.updated_by = user.id
    s.flush()
    links.reindex(s, conv)
    audit.record(s, "conversation_amended", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id)
