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

from rhc_app.domain.vocabulary import HELD_BY, NOT_RECORDED, OUTCOMES, YES_NO, label_of

LONDON = ZoneInfo("Europe/London")

#: The conversation must be offered and held within this time of the child being found.
TIMESCALE = timedelta(hours=72)


@dataclass(frozen=True)
class OrganisationInfo:
    name: str


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
    areas: Mapping[str, str] = field(default_factory=dict)
    people: Sequence[PersonEntry] = ()
    places: Sequence[PlaceEntry] = ()
    risk_factors: Sequence[tuple[str, str]] = ()  # (code, label)
    actions: Sequence[tuple[str, str]] = ()  # (label, detail)
    child_summary: str = ""
    worker_name: str = ""
    worker_role: str = ""
    amendments: Sequence[AmendmentInfo] = ()  # oldest first

    def __post_init__(self) -> None:
        # Freeze the containers too, so a document cannot be changed after it is described.
        object.__setattr__(self, "areas", dict(self.areas))
        for name in ("people", "places", "risk_factors", "actions", "amendments"):
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
    return label_of(OUTCOMES, outcome)


def method_label(method: str | None) -> str:
    return label_of(HELD_BY, method)


def yes_no(value: bool | None) -> str:
    if value is None:
        return NOT_RECORDED
    return YES_NO["yes"] if value else YES_NO["no"]
