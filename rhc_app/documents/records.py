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
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

#: The conversation must be offered and held within this time of the child being found.
TIMESCALE = timedelta(hours=72)

#: The areas of the conversation, in the order the police PDF prints them.
AREA_KEYS: tuple[str, ...] = (
    "victims",
    "offenders",
    "locations",
    "themes",
    "push_factors",
    "pull_factors",
    "child_wants",
    "carer_observations",
    "worker_analysis",
    "safety_advice",
)

OUTCOME_LABELS: dict[str, str] = {
    "accepted": "Accepted",
    "declined": "Declined",
    "not_completed": "Not completed",
}

#: How the conversation was held, and how contact was attempted (the attempt form's words).
METHOD_LABELS: dict[str, str] = {
    "face_to_face": "Face to face",
    "phone": "Phone",
    "video": "Video call",
    "text": "Text message",
    "letter": "Letter or email",
    "via_carer": "Through a parent or carer",
}

SEES_SELF_MISSING_LABELS: dict[str, str] = {"yes": "Yes", "no": "No", "unsure": "Not sure"}

NOT_RECORDED = "Not recorded"
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
    police_risk: str | None = None  # "low" / "medium" / "high" as graded by police
    police_reference: str = ""
    missing_from: str = ""  # e.g. "home", "care placement"
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
    #: Who held the conversation (the child's copy is signed by them).
    worker_name: str = ""
    worker_role: str = ""
    #: Who produced this copy (a manager, say): named apart from who held the conversation.
    produced_by: PersonInfo | None = None
    signoff: SignOffInfo = field(default_factory=SignOffInfo)
    amendments: Sequence[AmendmentInfo] = ()  # oldest first

    def __post_init__(self) -> None:
        # Freeze the containers too, so a document cannot be changed after it is described.
        object.__setattr__(self, "areas", dict(self.areas))
        for name in ("people", "places", "risk_factors", "actions", "amendments", "attempts"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def area(self, key: str) -> str:
        return (self.areas.get(key) or "").strip()


def to_london(value: datetime) -> datetime:
    """Convert to Europe/London, reading a naive datetime as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def format_datetime(value: datetime | None) -> str:
    """E.g. "Tue 24 Nov 2026, 14:05" in London time, or "Not recorded"."""
    if value is None:
        return NOT_RECORDED
    local = to_london(value)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def format_date(value: date | datetime | None) -> str:
    """E.g. "3 Mar 2011"; a datetime is first converted to London time."""
    if value is None:
        return NOT_RECORDED
    if isinstance(value, datetime):
        value = to_london(value).date()
    return f"{value.day} {value:%b %Y}"


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on the date ``on``."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def format_duration(delta: timedelta) -> str:
    """Hours (and minutes) up to 72 hours, then days and hours: how the reports speak."""
    minutes = int(abs(delta).total_seconds() // 60)
    hours, mins = divmod(minutes, 60)
    if hours == 0:
        return _plural(mins, "minute")
    if hours < 72:
        return _plural(hours, "hour") + (f" {_plural(mins, 'minute')}" if mins else "")
    days, hours = divmod(hours, 24)
    return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def timeliness(record: ConversationRecord) -> str:
    """Whether the conversation was held within 72 hours of the child being found.

    The figure every service reports ("RHI within timescale"), so it is worded the same way
    on every PDF, e.g. "Within 72 hours (held 30 hours after found)".
    """
    found = record.episode.found_at
    held = record.held_at
    if held is None:
        return "Not held"
    if found is None:
        return "Cannot tell: the time found is not recorded"
    found_utc, held_utc = to_london(found), to_london(held)
    if held_utc < found_utc:
        return "Cannot tell: held before the recorded time found"
    due = to_london(record.due_at) if record.due_at is not None else found_utc + TIMESCALE
    after = format_duration(held_utc - found_utc)
    if held_utc <= due:
        return f"Within 72 hours (held {after} after found)"
    return f"Not within 72 hours (held {format_duration(held_utc - due)} late)"


def outcome_label(outcome: str | None) -> str:
    if not outcome:
        return NOT_RECORDED
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " ").capitalize())


def method_label(method: str | None) -> str:
    if not method:
        return NOT_RECORDED
    return METHOD_LABELS.get(method, method.replace("_", " ").capitalize())


def sees_self_missing_label(value: str) -> str:
    return SEES_SELF_MISSING_LABELS.get(value or "", NOT_RECORDED)


def yes_no(value: bool | None) -> str:
    if value is None:
        return NOT_RECORDED
    return "Yes" if value else "No"
