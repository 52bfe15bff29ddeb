"""The dataset's columns, their allowed values and limits, and the typed row (the column
table is in this package's docstring, ``__init__.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from rhc_app.domain import vocabulary
from rhc_app.domain.figures import EpisodeFacts, Outcome

COLUMNS: tuple[str, ...] = (
    "child_ref", "child_name", "date_of_birth", "gender", "ethnicity", "in_care",
    "episode_ref", "reported_missing_at", "found_at", "police_risk", "rhc_offered_at",
    "rhc_outcome", "rhc_held_at", "risk_factors",
)
#: Issue 17's columns: a file may leave them out (older files import as they did), and a row
#: that leaves one empty changes nothing already recorded in it.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "placing_authority", "host_area", "late_reason", "holder_role", "held_by_independent",
)
EXPORT_COLUMNS: tuple[str, ...] = (
    "child_ref", "age_band", "gender", "ethnicity", "in_care", "episode_ref",
    "reported_missing_at", "found_at", "police_risk", "rhc_offered_at", "rhc_outcome",
    "rhc_held_at", "risk_factors", *OPTIONAL_COLUMNS,
)
# The codes the import accepts are the vocabulary's (domain/vocabulary.py), nothing else.
GENDERS = tuple(vocabulary.GENDERS)
POLICE_RISKS = tuple(vocabulary.POLICE_RISKS)
OUTCOMES = tuple(vocabulary.OUTCOMES)
YES_NO = tuple(vocabulary.YES_NO)
MAX_ERRORS = 1000
MIN_YEAR = 1900  # earlier years are typing slips, and would overflow time-zone arithmetic
MAX_TEXT = {"child_ref": 100, "episode_ref": 100, "child_name": 200, "ethnicity": 100,
            "placing_authority": 100, "host_area": 100}
HOLDER_ROLES = tuple(vocabulary.HOLDER_ROLES)


@dataclass(frozen=True)
class DatasetRow:
    """One episode, parsed and typed. Times are aware UTC; ``line`` is where it came from."""

    child_ref: str
    child_name: str | None = field(repr=False)
    date_of_birth: date | None = field(repr=False)
    gender: str | None
    ethnicity: str | None
    in_care: bool
    episode_ref: str
    reported_missing_at: datetime
    found_at: datetime | None
    police_risk: str | None
    rhc_offered_at: datetime | None
    rhc_outcome: Outcome | None
    rhc_held_at: datetime | None
    risk_factors: tuple[str, ...] = ()
    placing_authority: str | None = None
    host_area: str | None = None
    late_reason: str | None = None
    holder_role: str | None = None
    held_by_independent: bool | None = None
    line: int = field(default=0, compare=False)

    def facts(self, child_key: str | None = None) -> EpisodeFacts:
        """The figures' view of this row (``child_key`` defaults to ``child_ref``)."""
        return EpisodeFacts(
            child_key=child_key or self.child_ref, in_care=self.in_care,
            reported_missing_at=self.reported_missing_at, found_at=self.found_at,
            offered_at=self.rhc_offered_at, outcome=self.rhc_outcome,
            held_at=self.rhc_held_at, date_of_birth=self.date_of_birth, gender=self.gender,
            ethnicity=self.ethnicity, risk_factors=self.risk_factors,
        )


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"Line {self.line}" if self.line else "File"
        column = f", {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass
class ParseResult:
    rows: list[DatasetRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
