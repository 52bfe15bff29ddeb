"""Children, episodes and conversations: the domain actions behind the views and commands.

Plain functions over a database session; no Flask. Each raises `CaseworkError` with a message
for the user when a rule is broken, and leaves committing to the caller (one transaction).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain import lifecycle
from rhc_app.security import audit
from rhc_app.security.access import child_filter
from rhc_app.store.db import utcnow
from rhc_app.store.models import (
    Child,
    ContactAttempt,
    Conversation,
    Draft,
    Episode,
    Organisation,
    User,
)

AREAS: dict[str, str] = {
    "victims": "Victims",
    "offenders": "Offenders",
    "locations": "Locations",
    "themes": "Themes",
    "push_factors": "Push factors",
    "pull_factors": "Pull factors",
    "child_wants": "What the child wants to happen",
    "carer_observations": "Observations from parents or carers on return",
    "worker_analysis": "Worker's analysis",
    "safety_advice": "Safety advice given",
}

ACTIONS: dict[str, str] = {
    "strategy_meeting": "Strategy meeting",
    "exploitation_panel": "Exploitation panel (MACE)",
    "nrm": "National Referral Mechanism",
    "police_intelligence": "Police intelligence",
    "cawn": "Child abduction warning notice",
    "health": "Health",
    "education": "Education",
    "substance_misuse": "Substance misuse service",
    "other": "Other",
}

PERSON_FIELDS = ("name", "description", "approximate_age", "relationship", "concern")
PLACE_FIELDS = ("name", "area", "slept_there", "concern")
DETAIL_FIELDS = ("held_at", "method", "location", "present", "seen_alone",
                 "independent_offered", "language", "interpreter", "consent_to_share",
                 "sees_self_missing", "how_got_home", "helplines_given")


class CaseworkError(Exception):
    """A rule was broken; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def empty_canvas() -> dict[str, Any]:
    return {"areas": {k: "" for k in AREAS}, "people": [], "places": [], "notes": [],
            "details": {k: "" for k in DETAIL_FIELDS}, "risk_factors": [], "actions": [],
            "actions_detail": "", "child_words": ""}


def normalise_canvas(data: dict[str, Any]) -> dict[str, Any]:
    """Fill in missing keys so every reader sees the same shape."""
    base = empty_canvas()
    for key in ("areas", "details"):
        base[key].update({k: v for k, v in (data.get(key) or {}).items() if k in base[key]})
    for key in ("people", "places", "notes", "risk_factors", "actions"):
        base[key] = list(data.get(key) or [])
    base["actions_detail"] = data.get("actions_detail") or ""
    base["child_words"] = data.get("child_words") or ""
    return base


# -- children and episodes ------------------------------------------------------------------
@dataclass
class ChildDetails:
    name: str
    case_reference: str
    date_of_birth: str | None = None  # ISO date
    gender: str = "not_recorded"
    ethnicity: str | None = None
    in_care: bool = False
    home_area: str | None = None


def add_child(s: Session, ring: KeyRing, user: User, d: ChildDetails) -> Child:
    idx = ring.index("child_ref", d.case_reference)
    clash = s.execute(select(Child.id).where(Child.organisation_id == user.organisation_id,
                                             Child.case_reference_index == idx)).first()
    if clash:
        raise CaseworkError("A child with this case reference is already recorded. Find them "
                            "under Children, or ask your manager to share the record with you",
                            "case_reference")
    child = Child(organisation_id=user.organisation_id, name=d.name.strip(),
                  case_reference=d.case_reference.strip(), case_reference_index=idx,
                  date_of_birth=d.date_of_birth, gender=d.gender, ethnicity=d.ethnicity,
                  in_care=d.in_care, home_area=d.home_area, created_by=user.id,
                  name_index=ring.index("child_name", d.name))
    s.add(child)
    s.flush()
    audit.record(s, "child_added", user_id=user.id, org_id=user.organisation_id,
                 record_type="child", record_id=child.id)
    return child


def find_children(s: Session, ring: KeyRing, user: User, query: str, limit: int = 50
                  ) -> list[Child]:
    """By exact case reference (keyed hash), else by part of the name (names are sealed, so
    the visible children's names are opened and compared here, never in SQL)."""
    query = query.strip()
    if not query:
        return []
    visible = select(Child).where(child_filter(user))
    by_ref = s.execute(visible.where(
        Child.case_reference_index == ring.index("child_ref", query))).scalars().all()
    if by_ref:
        return list(by_ref)
    needle = query.casefold()
    found = [c for c in s.execute(visible).scalars() if needle in (c.name or "").casefold()]
    return sorted(found, key=lambda c: c.name.casefold())[:limit]


@dataclass
class EpisodeDetails:
    reported_missing_at: datetime
    found_at: datetime | None = None
    found_where: str | None = None
    missing_from: str = "home"
    police_risk: str | None = None
    police_reference: str | None = None


def check_episode_times(reported: datetime, found: datetime | None, now: datetime) -> None:
    if reported > now:
        raise CaseworkError("Reported missing must be today or in the past",
                            "reported_missing_at")
    if found is not None:
        if found > now:
            raise CaseworkError("Found must be today or in the past", "found_at")
        if found < reported:
            raise CaseworkError("Found must be after the time the child was reported missing",
                                "found_at")


def add_episode(s: Session, user: User, child: Child, d: EpisodeDetails,
                now: datetime | None = None) -> Episode:
    check_episode_times(d.reported_missing_at, d.found_at, now or utcnow())
    episode = Episode(organisation_id=child.organisation_id, child_id=child.id,
                      reported_missing_at=d.reported_missing_at, found_at=d.found_at,
                      found_where=d.found_where, missing_from=d.missing_from,
                      in_care=d.missing_from == "care" or child.in_care,
                      police_risk=d.police_risk, police_reference=d.police_reference)
    s.add(episode)
    s.flush()
    conv = Conversation(organisation_id=child.organisation_id, episode_id=episode.id,
                        worker_id=user.id if user.role == "worker" else None,
                        status="to_offer")
    conv.canvas = empty_canvas()
    s.add(conv)
    s.flush()
    audit.record(s, "episode_added", user_id=user.id, org_id=user.organisation_id,
                 record_type="episode", record_id=episode.id)
    return episode


def update_episode(s: Session, user: User, episode: Episode, d: EpisodeDetails,
                   now: datetime | None = None) -> None:
    conv = episode.conversation
    if conv is not None and conv.status == "awaiting_signoff":  # its times are being signed off
        raise CaseworkError(lifecycle.read_only_message("awaiting_signoff"), "reported_missing_at")
    if conv is not None and lifecycle.is_read_only(conv.status):
        # Its times set the 72-hour figures of a finished record: see amendments.amend_episode.
        raise CaseworkError(f"This conversation is {lifecycle.STATUS_LABELS[conv.status].lower()}"
                            ": the episode is changed only by an amendment, with the reason")
    check_episode_times(d.reported_missing_at, d.found_at, now or utcnow())
    episode.reported_missing_at = d.reported_missing_at
    episode.found_at = d.found_at
    episode.found_where = d.found_where
    episode.missing_from = d.missing_from
    episode.police_risk = d.police_risk
    episode.police_reference = d.police_reference
    audit.record(s, "episode_edited", user_id=user.id, org_id=user.organisation_id,
                 record_type="episode", record_id=episode.id)


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
                   reason: str | None = None, now: datetime | None = None) -> None:
    """Offer (again), or record accepted / declined / not completed."""
    if at > (now or utcnow()):
        raise CaseworkError("The date and time must be now or in the past", "at")
    episode = s.get(Episode, conv.episode_id)
    assert episode is not None
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
        conv.offered_at = conv.offered_at or at
        conv.outcome = action
        conv.outcome_at = at
        conv.outcome_reason = reason or None
    conv.updated_at = utcnow()
    conv.updated_by = user.id
    audit.record(s, f"conversation_{action}", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id)


# -- the canvas -----------------------------------------------------------------------------
@dataclass
class SaveResult:
    applied: bool
    version: int
    theirs: dict[str, Any] | None = None  # the stored canvas, when the save conflicted
    problems: dict[str, str] = field(default_factory=dict)


def parse_held_at(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value)


def check_canvas(canvas: dict[str, Any], episode: Episode, now: datetime) -> dict[str, str]:
    """Problems that must be fixed before the canvas can be saved, by form field."""
    problems: dict[str, str] = {}
    held = canvas["details"].get("held_at")
    if held:
        try:
            held_at = parse_held_at(held)
        except ValueError:
            problems["held_at"] = "Enter the date and time the conversation was held"
        else:
            assert held_at is not None
            if held_at > now:
                problems["held_at"] = "The conversation must have been held now or in the past"
            elif episode.found_at and held_at < episode.found_at:
                problems["held_at"] = ("The conversation cannot have been held before the "
                                       "child was found")
    return problems


def save_canvas(s: Session, user: User, conv: Conversation, canvas: dict[str, Any],
                base_version: int, now: datetime | None = None, *,
                resolves_draft: bool = False) -> SaveResult:
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
    problems = check_canvas(canvas, episode, now)
    if problems:
        return SaveResult(False, conv.version, problems=problems)
    held_at = parse_held_at(canvas["details"].get("held_at"))
    text = json.dumps(canvas, ensure_ascii=False, sort_keys=True)
    blob = s.info["keyring"].seal(text, Conversation.record.context(conv))
    consent = canvas["details"].get("consent_to_share") or None
    result = s.execute(
        update(Conversation)
        .where(Conversation.id == conv.id, Conversation.version == base_version)
        .values(record_enc=blob, version=base_version + 1, status=status, held_at=held_at,
                consent_to_share=consent, risk_factors=list(canvas["risk_factors"]),
                actions=list(canvas["actions"]), updated_at=now, updated_by=user.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        s.refresh(conv)
        return SaveResult(False, conv.version, theirs=conv.canvas)
    s.refresh(conv)
    if resolves_draft:  # saved from the page that showed the kept text: it is merged now
        discard_draft(s, conv.id, user.id)
    audit.record(s, "conversation_saved", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id)
    return SaveResult(True, conv.version)


def keep_draft(s: Session, user_id: str, conv: Conversation, canvas: dict[str, Any],
               base_version: int) -> None:
    """Keep what this user typed. Two tabs of one user can get here at once, or one tab's save
    can discard the draft meanwhile: plain statements (update, else insert in a savepoint,
    else update again) never trip over a row that changed under them."""
    payload = json.dumps(canvas, ensure_ascii=False)
    blob = s.info["keyring"].seal(payload, f"{Draft.__tablename__}.payload.{conv.id}:{user_id}")
    values = {"base_version": base_version, "payload_enc": blob, "saved_at": utcnow()}
    mine = (Draft.conversation_id == conv.id) & (Draft.user_id == user_id)
    for _attempt in range(3):
        if s.execute(update(Draft).where(mine).values(**values)
                     .execution_options(synchronize_session=False)).rowcount:
            break
        try:
            with s.begin_nested():
                s.execute(insert(Draft).values(conversation_id=conv.id, user_id=user_id,
                                               **values))
            break
        except IntegrityError:
            continue  # the other tab inserted it first: update theirs
    s.expire_all()


def load_draft(s: Session, user_id: str, conv_id: str) -> tuple[dict[str, Any], int] | None:
    draft = s.get(Draft, (conv_id, user_id))
    if draft is None:
        return None
    return normalise_canvas(json.loads(draft.payload)), draft.base_version


def discard_draft(s: Session, conv_id: str, user_id: str) -> None:
    s.execute(delete(Draft).where(Draft.conversation_id == conv_id, Draft.user_id == user_id)
              .execution_options(synchronize_session=False))


# -- completing -----------------------------------------------------------------------------
def complete(s: Session, user: User, conv: Conversation, org: Organisation) -> None:
    canvas = conv.canvas
    if not canvas.get("details", {}).get("held_at"):
        raise CaseworkError("Enter when the conversation was held before completing it",
                            "held_at")
    if conv.consent_to_share is None:
        raise CaseworkError("Record whether the child consents to sharing with police before "
                            "completing", "consent_to_share")
    try:
        conv.status = lifecycle.next_status(conv.status, "complete",
                                            require_signoff=bool(org.setting("require_signoff")))
    except lifecycle.TransitionError as exc:
        raise CaseworkError(str(exc)) from exc
    conv.completed_at = utcnow()
    conv.completed_by = user.id
    conv.version += 1
    audit.record(s, "conversation_completed", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id)


def held_or_completed_by(conv: Conversation, user: User) -> bool:
    """Sign-off is a second person's check: never the holder's or the completer's own."""
    return user.id in (conv.worker_id, conv.completed_by)


def sign_off(s: Session, manager: User, conv: Conversation, approve: bool,
             reason: str = "") -> None:
    """Approve, or return to the worker with the reason (needed: they must know what to
    change)."""
    if approve and held_or_completed_by(conv, manager):
        raise CaseworkError("You held or completed this conversation, so another manager must "
                            "sign it off")
    if not approve and not reason.strip():
        raise CaseworkError("Enter what the worker needs to change", "reason")
    try:
        conv.status = lifecycle.next_status(conv.status, "sign_off" if approve else "return")
    except lifecycle.TransitionError as exc:
        raise CaseworkError(str(exc)) from exc
    if approve:
        conv.signed_off_at = utcnow()
        conv.signed_off_by = manager.id
    else:
        conv.returned_at = utcnow()
        conv.returned_by = manager.id
        conv.return_reason = reason.strip()
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
    s.add(Amendment(conversation_id=conv.id, by_user_id=user.id, reason=reason.strip(),
                    before=conv.record))
    canvas = normalise_canvas(canvas)
    conv.canvas = canvas
    conv.held_at = parse_held_at(canvas["details"].get("held_at"))
    conv.consent_to_share = canvas["details"].get("consent_to_share") or None
    conv.risk_factors = list(canvas["risk_factors"])
    conv.actions = list(canvas["actions"])
    conv.version += 1
    conv.updated_at = utcnow()
    conv.updated_by = user.id
    audit.record(s, "conversation_amended", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id)
