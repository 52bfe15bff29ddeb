"""Plain, frozen descriptions of one Return Home Conversation, as the documents need it.

The PDF builders take these instead of database models so that they stay pure (no Flask,
no SQLAlchemy, no session), are quick to test and cannot lazily load data the document
was not meant to show. The views map the models onto these classes in one place.

Datetimes should be timezone-aware UTC. A naive datetime is read as UTC, because SQLite
hands back naive values for aware columns; everything is displayed in Europe/London.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from rhc_app.documents.record_fields import RecordFields
from rhc_app.domain.uk_time import as_utc, due_at, format_duration, within_timescale
from rhc_app.domain.vocabulary import (
    CONTACT_METHODS,
    NOT_RECORDED,
    OUTCOMES,
    YES_NO,
    YES_NO_UNSURE,
    label_of,
)

if TYPE_CHECKING:  # the section's own module holds its record type (and needs reportlab)
    from rhc_app.documents.strategy_section import DecisionInfo

#: The action line that carries the "Details of actions" box, not a ticked action.
ACTION_DETAILS_LABEL = "Details"

#: Printed under the marking when the organisation has not set its own.
DEFAULT_HANDLING = ("Only for people who need it to keep this child safe. Do not forward "
                    "outside the secure network.")
#: The longest handling instructions and team contact an organisation may set.
HANDLING_MAX, TEAM_CONTACT_MAX = 300, 150


@dataclass(frozen=True)
class OrganisationInfo:
    name: str
    #: Who may read the police record and how it may be passed on (an organisation setting).
    handling: str = DEFAULT_HANDLING
    #: How the child can reach the worker's team (an organisation setting), e.g. a text line.
    team_contact: str = ""


@dataclass(frozen=True)
class PersonInfo:
    """A member of staff as a document names them."""

    name: str = ""
    role: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class AttemptInfo:
    """One attempt to make contact before the conversation."""

    at: datetime
    method: str = ""
    result: str = ""


@dataclass(frozen=True)
class SignOffInfo:
    """Where the record stands with a manager's sign-off."""

    status: str = ""  # the conversation's status, e.g. "awaiting_signoff", "completed"
    completed_at: datetime | None = None
    signed_off_at: datetime | None = None
    signed_off_by: str = ""
    returned_at: datetime | None = None
    returned_by: str = ""
    return_reason: str = ""


@dataclass(frozen=True)
class FollowUpInfo:
    """One action or referral and where it stands (labels already in words)."""

    label: str
    status: str  # a label of vocabulary.ACTION_STATUSES
    owner: str = ""
    due_on: date | None = None
    detail: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class OversightInfo:
    """One manager's decision on the record: signed off or returned, and their words."""

    at: datetime
    by: str
    decision: str  # a label of vocabulary.SIGN_OFF_DECISIONS
    comment: str = ""


@dataclass(frozen=True)
class ChildInfo:
    name: str
    date_of_birth: date | None = None
    case_reference: str = ""
    #: What the child likes to be called; the child's copy greets them by it.
    preferred_name: str = ""

    @property
    def first_name(self) -> str:
        """The name to greet the child by: their preferred name, else the first word."""
        if self.preferred_name.strip():
            return self.preferred_name.strip()
        parts = self.name.split()
        return parts[0] if parts else ""


@dataclass(frozen=True)
class EpisodeInfo:
    reported_missing_at: datetime | None = None
    found_at: datetime | None = None
    police_risk: str | None = None  # a code of vocabulary.POLICE_RISKS
    police_reference: str = ""
    missing_from: str = ""  # as printed: a label of vocabulary.MISSING_FROM
    found_where: str = ""


@dataclass(frozen=True)
class PersonEntry:
    """Someone the child was with or spoke about (a third party: never on the child's copy)."""

    name: str
    description: str = ""
    approximate_age: str | int | None = None
    relationship: str = ""  # how the child knows them
    concern: str = ""


@dataclass(frozen=True)
class PlaceEntry:
    name: str
    area: str = ""
    slept_there: bool | None = None
    concern: str = ""


@dataclass(frozen=True)
class AmendmentInfo:
    """One change to the completed record or to the missing episode behind it."""

    at: datetime
    by: str
    reason: str
    subject: str  # "Conversation record" or "Missing episode"
    changes: Sequence[str] = ()  # e.g. "Found or returned: Sun 22 Nov 2026, 08:00 to ..."

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", tuple(self.changes))


@dataclass(frozen=True)
class ConversationRecord:
    """Everything one conversation's documents show. Sequences are stored as tuples."""

    organisation: OrganisationInfo
    child: ChildInfo
    episode: EpisodeInfo
    produced_at: datetime
    offered_at: datetime | None = None
    outcome: str | None = None  # "accepted" / "declined" / "not_completed" / None
    held_at: datetime | None = None
    due_at: datetime | None = None  # defaults to found_at + 72 hours when None
    method: str | None = None  # "face_to_face" / "phone" / "video" or free text
    location: str = ""
    present: str = ""
    seen_alone: bool | None = None
    outcome_reason: str = ""  # why declined or not completed
    consent_to_share: bool | None = None  # with police
    independent_offered: bool | None = None
    language: str = ""
    interpreter: bool | None = None
    sees_self_missing: str = ""  # "yes" / "no" / "unsure"
    how_got_home: str = ""
    helplines_given: str = ""
    child_words: str = ""  # what the child said, in their own words
    attempts: Sequence[AttemptInfo] = ()  # oldest first
    areas: Mapping[str, str] = field(default_factory=dict)
    people: Sequence[PersonEntry] = ()
    places: Sequence[PlaceEntry] = ()
    risk_factors: Sequence[tuple[str, str]] = ()  # (code, label)
    actions: Sequence[tuple[str, str]] = ()  # (label, detail)
    child_summary: str = ""
    worker_name: str = ""
    worker_role: str = ""
    #: Who produced this copy (a manager, say): named apart from who held the conversation.
    produced_by: PersonInfo | None = None
    signoff: SignOffInfo = field(default_factory=SignOffInfo)
    amendments: Sequence[AmendmentInfo] = ()  # oldest first
    follow_up: Sequence[FollowUpInfo] = ()  # the actions followed up, open ones first
    oversight: Sequence[OversightInfo] = ()  # every sign-off and return, oldest first
    strategy_decisions: Sequence[DecisionInfo] = ()  # the child's, newest first
    fields: RecordFields = field(default_factory=RecordFields)  # issue 17's
    #: The other missing episodes this conversation covers (issue 17), oldest first.
    covered_episodes: Sequence[EpisodeInfo] = ()

    def __post_init__(self) -> None:
        # Freeze the containers too, so a document cannot be changed after it is described.
        object.__setattr__(self, "areas", dict(self.areas))
        for name in ("people", "places", "risk_factors", "actions", "amendments", "attempts",
                     "follow_up", "oversight", "strategy_decisions", "covered_episodes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def area(self, key: str) -> str:
        return (self.areas.get(key) or "").strip()


def timeliness(record: ConversationRecord, episode: EpisodeInfo | None = None) -> str:
    """Whether the conversation was held within 72 hours of the child being found (from
    ``episode``, one it covers; by default its own).

    The figure every service reports ("RHI within timescale"), so it is worded the same way
    on every PDF, e.g. "Within 72 hours (held 30 hours after found)".
    """
    found = (episode or record.episode).found_at
    held = record.held_at
    if held is None:
        return "Not held"
    if found is None:
        return "Cannot tell: the time found is not recorded"
    if within_timescale(found, held) is None:
        return "Cannot tell: held before the recorded time found"
    due = as_utc(record.due_at) if record.due_at is not None and episode is None \
        else due_at(found)
    held_utc = as_utc(held)  # real elapsed time, not London wall clock, across a clock change
    if held_utc <= due:
        return f"Within 72 hours (held {format_duration(held_utc - as_utc(found))} after found)"
    return f"Not within 72 hours (held {format_duration(held_utc - due)} late)"


def outcome_label(outcome: str | None) -> str:
    return label_of(OUTCOMES, outcome)


def method_label(method: str | None) -> str:
    """How the conversation was held, or how contact was attempted (the attempt form's words)."""
    return label_of(CONTACT_METHODS, method)


def sees_self_missing_label(value: str) -> str:
    return label_of(YES_NO_UNSURE, value)


def yes_no(value: bool | None) -> str:
    if value is None:
        return NOT_RECORDED
    return YES_NO["yes"] if value else YES_NO["no"]
