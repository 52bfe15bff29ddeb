"""Children and their missing episodes: adding, finding and correcting them.

Plain functions over a database session; no Flask. Each raises `CaseworkError` with a message
for the user when a rule is broken, and leaves committing to the caller (one transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain import lifecycle
from rhc_app.domain.vocabulary import STATUSES
from rhc_app.security import audit
from rhc_app.security.access import child_filter
from rhc_app.services.canvas import empty_canvas
from rhc_app.services.errors import CaseworkError
from rhc_app.store.db import utcnow
from rhc_app.store.models import Child, Conversation, Episode, User


@dataclass
class ChildDetails:
    name: str
    case_reference: str
    date_of_birth: str | None = None  # ISO date
    gender: str = "not_recorded"
    ethnicity: str | None = None
    in_care: bool = False
    home_area: str | None = None
    placing_authority: str | None = None
    host_area: str | None = None


def council(name: str | None) -> str | None:
    """A council's name as kept: spaces tidied, so "Harrow " and "Harrow" filter as one."""
    return " ".join((name or "").split())[:100] or None


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
                  placing_authority=council(d.placing_authority), host_area=council(d.host_area),
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


def set_placement(s: Session, user: User, child: Child, placing_authority: str | None,
                  host_area: str | None) -> None:
    """The councils of a child placed out of area (either may be cleared)."""
    child.placing_authority = council(placing_authority)
    child.host_area = council(host_area)
    audit.record(s, "child_placement_changed", user_id=user.id, org_id=user.organisation_id,
                 record_type="child", record_id=child.id)


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
        raise CaseworkError(f"This conversation is {STATUSES[conv.status].lower()}"
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
