"""Amendments to a completed conversation: one trail for changes to the record and to the
missing episode behind it (whose times set the 72-hour figures), each with who, when and why,
as the conversation page and the police PDF show them.

Plain functions over a database session; no Flask. The caller commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.domain.uk_time import format_datetime
from rhc_app.domain.vocabulary import AREAS, MISSING_FROM, NOT_RECORDED, POLICE_RISKS, label_of
from rhc_app.security import audit
from rhc_app.services.canvas import normalise_canvas
from rhc_app.services.children import EpisodeDetails, check_episode_times
from rhc_app.services.errors import CaseworkError
from rhc_app.store.db import utcnow
from rhc_app.store.models import Amendment, Conversation, Episode, User

#: The episode's fields an amendment may change, in the order the trail lists them.
EPISODE_FIELDS: tuple[tuple[str, str], ...] = (
    ("reported_missing_at", "Reported missing"),
    ("found_at", "Found or returned"),
    ("found_where", "Where found"),
    ("missing_from", "Missing from"),
    ("police_risk", "Police risk grade"),
    ("police_reference", "Police reference"),
)

#: The episode's fields stored as codes, with the words they are shown in.
WORDS = {"missing_from": MISSING_FROM, "police_risk": POLICE_RISKS}

#: Parts of the record, for saying which an amendment of the record changed.
RECORD_PARTS: tuple[tuple[str, str], ...] = (
    ("details", "Conversation details"), ("people", "People"), ("places", "Places"),
    ("notes", "Quick notes"), ("risk_factors", "Risk factors"),
    ("actions", "Actions and referrals"), ("actions_detail", "Actions and referrals"),
    ("child_words", "In the child's own words"),
)


@dataclass(frozen=True)
class Change:
    what: str
    before: str | None = None  # None for a part of the record: the record itself shows it
    after: str | None = None


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    by: str
    reason: str
    kind: str  # "record" or "episode"
    changes: tuple[Change, ...]

    @property
    def subject(self) -> str:
        return "Missing episode" if self.kind == "episode" else "Conversation record"


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return NOT_RECORDED
    if isinstance(value, datetime):
        return format_datetime(value)
    if name in WORDS:
        return label_of(WORDS[name], str(value))
    return str(value)


def _same(stored: Any, entered: Any) -> bool:
    """The form gives times to the minute: a stored time in the same minute is unchanged."""
    if isinstance(stored, datetime) and isinstance(entered, datetime):
        return stored.replace(second=0, microsecond=0) == entered.replace(second=0,
                                                                          microsecond=0)
    return (stored or None) == (entered or None)


def amend_episode(s: Session, user: User, episode: Episode, d: EpisodeDetails, reason: str,
                  now: datetime | None = None) -> Amendment:
    """Change the episode behind a completed conversation: the reason, the fields before and
    what changed are kept in the conversation's amendment trail."""
    conv = episode.conversation
    if conv is None or conv.status != "completed":
        raise CaseworkError("Only the episode of a completed conversation is amended")
    if not reason.strip():
        raise CaseworkError("Enter the reason for the amendment", "reason")
    check_episode_times(d.reported_missing_at, d.found_at, now or utcnow())
    changed = [(name, label) for name, label in EPISODE_FIELDS
               if not _same(getattr(episode, name), getattr(d, name))]
    changes = [[label, _shown(name, getattr(episode, name)), _shown(name, getattr(d, name))]
               for name, label in changed]
    if not changes:
        raise CaseworkError("Nothing has changed: change the episode, or go back",
                            "reported_missing_at")
    before = {name: (v.isoformat() if isinstance(v := getattr(episode, name), datetime) else v)
              for name, _ in EPISODE_FIELDS}
    amendment = Amendment(conversation_id=conv.id, by_user_id=user.id, kind="episode",
                          reason=reason.strip(), before=json.dumps(before),
                          changes=json.dumps(changes, ensure_ascii=False))
    s.add(amendment)
    for name, _ in changed:
        setattr(episode, name, getattr(d, name))
    conv.updated_at = utcnow()
    conv.updated_by = user.id
    audit.record(s, "episode_amended", user_id=user.id, org_id=user.organisation_id,
                 record_type="episode", record_id=episode.id)
    return amendment


def _record_changes(before: str | None, after: str | None) -> tuple[Change, ...]:
    old = normalise_canvas(json.loads(before) if before else {})
    new = normalise_canvas(json.loads(after) if after else {})
    parts = [label for key, label in AREAS.items() if old["areas"][key] != new["areas"][key]]
    parts += [label for key, label in RECORD_PARTS if old[key] != new[key]]
    return tuple(Change(what) for what in dict.fromkeys(parts))


def trail(s: Session, conv: Conversation) -> list[TrailEntry]:
    """Every amendment of `conv`, oldest first. A record amendment keeps the record before
    it: what it changed is the difference with the next record amendment's, or today's."""
    rows = s.execute(select(Amendment, User).outerjoin(User, User.id == Amendment.by_user_id)
                     .where(Amendment.conversation_id == conv.id)
                     .order_by(Amendment.at, Amendment.id)).all()
    records = [a for a, _ in rows if a.kind == "record"]
    after = {a.id: (records[i + 1].before if i + 1 < len(records) else conv.record)
             for i, a in enumerate(records)}
    out = []
    for a, by in rows:
        if a.kind == "episode":
            changes = tuple(Change(*c) for c in json.loads(a.changes or "[]"))
        else:
            changes = _record_changes(a.before, after[a.id])
        out.append(TrailEntry(at=a.at, by=by.name if by else "Unknown user", reason=a.reason,
                              kind=a.kind, changes=changes))
    return out
