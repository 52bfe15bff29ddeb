"""What of the people and places index may leave the organisation (issue 16): the panel pack
for the exploitation panel and the police intelligence submission from one connection.

The sharing rules are applied before anything is opened: a person or place the child asked
not to be shared is left out (and a connection that only such entries made is left out
whole); entries from a conversation where the child did not consent to sharing with police
are not opened either, only counted. Children are named by case reference only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.domain.uk_time import format_date
from rhc_app.services import connections, follow_up, hotspots
from rhc_app.store.models import Child, Conversation, LinkToken, User

NO_CONSENT = "no"  # Conversation.consent_to_share: the child did not consent
POLICE_KIND = "police_intelligence"


@dataclass
class Entry:
    """One mention that may be shared: the child by case reference, the words opened."""

    case_reference: str
    entry_kind: str
    name: str
    detail: str
    mentioned_at: datetime
    conversation_id: str


@dataclass
class Shared:
    conn: connections.Connection
    entries: list[Entry] = field(default_factory=list)
    no_consent: int = 0  # mentions left out: the child did not consent to sharing with police
    not_shared: int = 0  # mentions left out: the child asked for them not to be shared

    @property
    def conversations(self) -> list[str]:
        """The conversations whose entries were opened, in order."""
        return list(dict.fromkeys(e.conversation_id for e in self.entries))


def _refused(s: Session, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    return set(s.execute(select(Conversation.id).where(
        Conversation.id.in_(ids), Conversation.consent_to_share == NO_CONSENT)).scalars())


def no_consent(s: Session, conn: connections.Connection) -> int:
    """How many of its mentions (the child not having asked them kept) would be left out of
    a police submission: the child did not consent. Nothing is opened."""
    refused = _refused(s, {m.conversation_id for m in conn.mentions})
    return sum(1 for m in conn.mentions if not m.do_not_share and m.conversation_id in refused)


def shareable(s: Session, conn: connections.Connection) -> Shared:
    """The connection's mentions that may be shared, opened; the rest only counted."""
    refused = _refused(s, {m.conversation_id for m in conn.mentions})
    out = Shared(conn)
    kept = []
    for m in conn.mentions:
        if m.do_not_share:
            out.not_shared += 1
        elif m.conversation_id in refused:
            out.no_consent += 1
        else:
            kept.append(m)
    refs: dict[str, str] = {}
    for shown in connections.open_mentions(s, connections.Connection(conn.token_kind, conn.token,
                                                          conn.how, kept)):
        m = shown.mention
        if m.child_id not in refs:
            child = s.get(Child, m.child_id)
            refs[m.child_id] = (child.case_reference if child else "") or ""
        out.entries.append(Entry(refs[m.child_id], m.entry_kind, shown.name, shown.detail,
                                 m.mentioned_at, m.conversation_id))
    return out


def panel_connections(s: Session, org_id: str, start: datetime, end: datetime
                      ) -> list[Shared]:
    """The period's connections for the panel: those still linking two or more children once
    the entries the children asked not to be shared are taken out."""
    out = []
    for conn in connections.all_connections(s, org_id, start, end):
        if len({m.child_id for m in conn.mentions if not m.do_not_share}) < 2:
            continue
        out.append(shareable(s, conn))
    return out


def panel_hotspots(s: Session, org_id: str, start: datetime, end: datetime
                   ) -> list[hotspots.Hotspot]:
    """The period's hotspots; one the child asked not to be shared keeps its counts but not
    its name (the label is blanked: the view says it was withheld)."""
    found = hotspots.hotspots(s, org_id, start, end)
    hidden = set(s.execute(select(LinkToken.token).where(
        LinkToken.organisation_id == org_id, LinkToken.do_not_share.is_(True),
        LinkToken.token.in_([h.token for h in found]), LinkToken.mentioned_at >= start,
        LinkToken.mentioned_at < end)).scalars()) if found else set()
    for spot in found:
        if spot.token in hidden:
            spot.label = ""
    return found


def owner_for(s: Session, member: User, conv: Conversation) -> str:
    """Who owns the submission's action: the person submitting when they can open the
    conversation; otherwise (an exploitation lead it is not shared with) its worker, or
    failing that the first manager who can."""
    owners = [u.id for u in follow_up.owners_for(s, conv)]
    for candidate in (member.id, conv.worker_id):
        if candidate in owners:
            return candidate
    return owners[0] if owners else member.id


def record_submission(s: Session, member: User, shared: Shared, today: date) -> list[str]:
    """A done police intelligence action on each conversation concerned (each audited by
    the actions service). The caller commits."""
    done = []
    for conversation_id in shared.conversations:
        conv = s.get(Conversation, conversation_id)
        if conv is None:
            continue
        follow_up.add_action(s, member, conv, follow_up.ActionChange(
            POLICE_KIND, owner_for(s, member, conv), None, "done",
            f"Submitted as police intelligence on {format_date(today)}"), today)
        done.append(conversation_id)
    return done
