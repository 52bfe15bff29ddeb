"""One cell and one row of the dataset checked: dates, times (Europe/London unless an offset
is given), choices, census ethnic groups, risk-factor codes, and the rules between columns.
Each problem is a plain-English message naming the column."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import cast

from rhc_app.domain import ethnicity as ethnic_groups
from rhc_app.domain.dataset.columns import (
    COLUMNS,
    GENDERS,
    HOLDER_ROLES,
    MAX_ERRORS,
    MAX_TEXT,
    MIN_YEAR,
    OPTIONAL_COLUMNS,
    OUTCOMES,
    POLICE_RISKS,
    YES_NO,
    DatasetRow,
    RowError,
)
from rhc_app.domain.figures import Outcome
from rhc_app.domain.uk_time import LONDON, london_date

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}+)\d*+)?)?"
    r"\s*+(?:([Zz])|([+-])(\d{2}):?(\d{2}))?",
    re.ASCII,  # \d would otherwise accept any script's digits
)  # possessive (++, *+): a cell of a million digits is one pass, not six with backtracking
_DATE_HINT = "use YYYY-MM-DD"
_DATETIME_HINT = "use YYYY-MM-DD HH:MM, for example 2024-04-01 10:00"


class Errors:
    """Collects every error but keeps at most MAX_ERRORS, then says how many more there were."""

    def __init__(self) -> None:
        self.kept: list[RowError] = []
        self.dropped = 0

    def add(self, line: int, column: str | None, message: str) -> None:
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(RowError(line, column, message))
        else:
            self.dropped += 1

    def result(self) -> list[RowError]:
        more = [RowError(0, None, f"…and {self.dropped} more errors")] if self.dropped else []
        return self.kept + more


def _parse_datetime(value: str) -> datetime:
    """An aware UTC datetime; raises ValueError with the reason a person can act on."""
    m = _DATETIME.fullmatch(value)
    if not m:
        if _DATE.fullmatch(value):
            raise ValueError(f"'{value}' needs a time as well: {_DATETIME_HINT}")
        raise ValueError(f"'{value}' is not a date and time: {_DATETIME_HINT}")
    year, month, day, hour = int(m[1]), int(m[2]), int(m[3]), int(m[4])
    second, micro = int(m[6]) if m[6] else 0, int(m[7].ljust(6, "0")) if m[7] else 0
    try:
        if m[8]:
            at = datetime(year, month, day, hour, int(m[5]), second, micro, tzinfo=UTC)
        elif m[9]:
            offset = timedelta(hours=int(m[10]), minutes=int(m[11]))
            tz = timezone(-offset if m[9] == "-" else offset)
            at = datetime(year, month, day, hour, int(m[5]), second, micro, tzinfo=tz)
            at = at.astimezone(UTC)
        else:  # UK time, the usual cell: its offset looked up once per hour of the calendar
            at = datetime(year, month, day, hour, int(m[5]), second, micro, tzinfo=UTC) \
                - _london_offset(year, month, day, hour)
    except (ValueError, OverflowError):
        raise ValueError(f"'{value}' is not a real date and time: {_DATETIME_HINT}") from None
    if year < MIN_YEAR:
        raise ValueError(f"'{value}' is before {MIN_YEAR}: check the year")
    return at


@lru_cache(maxsize=65536)
def _london_offset(year: int, month: int, day: int, hour: int) -> timedelta:
    """UK time's offset from UTC at that hour, as zoneinfo reads a wall-clock time (fold 0:
    an hour the clocks skip counts as GMT, an hour they repeat as BST). The clocks change
    on the hour, so every minute of an hour has its offset."""
    return datetime(year, month, day, hour, tzinfo=LONDON).utcoffset() or timedelta(0)


def _parse_date(value: str) -> date:
    if not _DATE.fullmatch(value):
        raise ValueError(f"'{value}' is not a date: {_DATE_HINT}")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date: {_DATE_HINT}") from None
    if parsed.year < MIN_YEAR:
        raise ValueError(f"'{value}' is before {MIN_YEAR}: check the year")
    return parsed


class RowParser:
    """Validates one row's cells; its problems are reported together, in column order."""

    def __init__(self, cells: dict[str, str], line: int, now: datetime):
        self.cells, self.line, self.now = cells, line, now
        self.problems: list[tuple[str | None, str]] = []

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def error(self, column: str | None, message: str) -> None:
        self.problems.append((column, message))

    def report(self, errors: Errors) -> None:
        order = {name: i for i, name in enumerate((*COLUMNS, *OPTIONAL_COLUMNS))}
        for column, message in sorted(self.problems, key=lambda p: order.get(p[0] or "", -1)):
            errors.add(self.line, column, message)

    def text(self, column: str, required: bool = False) -> str | None:
        value = self.cells[column]
        if not value:
            if required:
                self.error(column, f"{column} is required")
            return None
        if column in MAX_TEXT and len(value) > MAX_TEXT[column]:
            self.error(column, f"{column} is longer than {MAX_TEXT[column]} characters")
        return value

    def choice(self, column: str, allowed: tuple[str, ...], required: bool = False) -> str | None:
        value = self.text(column, required)
        if value is None:
            return None
        if value.lower() not in allowed:
            self.error(column, f"{column} '{value}' is not one of: {', '.join(allowed)}")
            return None
        return value.lower()

    def ethnic_group(self) -> str | None:
        value = self.text("ethnicity")
        if value is None:
            return None
        found = ethnic_groups.canonical(value)
        if found is None:
            self.error("ethnicity", f"ethnicity '{value[:100]}' is not a 2021 census category: "
                       "use a category name such as Indian, Irish or White and Asian, "
                       "or Not known or Refused")
        return found

    def when(self, column: str, required: bool = False) -> datetime | None:
        value = self.text(column, required)
        if value is None:
            return None
        try:
            parsed = _parse_datetime(value)
        except ValueError as exc:
            self.error(column, f"{column} {exc}")
            return None
        if parsed > self.now:
            self.error(column, f"{column} is in the future")
        return parsed

    def birth_date(self) -> date | None:
        value = self.text("date_of_birth")
        if value is None:
            return None
        try:
            parsed = _parse_date(value)
        except ValueError as exc:
            self.error("date_of_birth", f"date_of_birth {exc}")
            return None
        if parsed > london_date(self.now):
            self.error("date_of_birth", "date_of_birth is in the future")
            return None  # one error is enough: not also "after reported_missing_at"
        return parsed

    def codes(self, known: Mapping[str, str]) -> tuple[str, ...]:
        found: list[str] = []
        for raw in (self.cells["risk_factors"] or "").split(";"):
            code = raw.strip()
            if not code:
                continue
            canonical = known.get(code) or known.get(code.casefold())
            if canonical is None:
                message = f"risk_factors: '{code}' is not a known risk-factor code"
                self.error("risk_factors", message)
            elif canonical not in found:
                found.append(canonical)
        return tuple(found)


def _before(
    p: RowParser, later: datetime | None, earlier: datetime | None, a: str, b: str
) -> None:
    if later is not None and earlier is not None and later < earlier:
        p.error(a, f"{a} is before {b}")


def _optional_cells(p: RowParser, late_codes: tuple[str, ...]) -> dict[str, object]:
    """The optional columns: councils, why it came late, who held it."""
    independent = p.choice("held_by_independent", YES_NO)
    if independent and not p.cells["rhc_held_at"]:
        p.error("held_by_independent", "held_by_independent needs rhc_held_at: it says who "
                "held the conversation")
    return {"placing_authority": council(p.text("placing_authority")),
            "host_area": council(p.text("host_area")),
            "late_reason": p.choice("late_reason", late_codes),
            "holder_role": p.choice("holder_role", HOLDER_ROLES),
            "held_by_independent": None if independent is None else independent == "yes"}


def council(name: str | None) -> str | None:
    return " ".join(name.split()) if name else None


def parse_row(p: RowParser, known: Mapping[str, str], late_codes: tuple[str, ...] = ()
              ) -> DatasetRow | None:
    child_ref = p.text("child_ref", required=True)
    in_care = p.choice("in_care", YES_NO, required=True)
    episode_ref = p.text("episode_ref", required=True)
    reported = p.when("reported_missing_at", required=True)
    found = p.when("found_at")
    offered = p.when("rhc_offered_at")
    outcome = p.choice("rhc_outcome", OUTCOMES)
    held = p.when("rhc_held_at")
    dob = p.birth_date()
    child_name, ethnicity = p.text("child_name"), p.ethnic_group()
    gender, police_risk = p.choice("gender", GENDERS), p.choice("police_risk", POLICE_RISKS)
    risk_factors = p.codes(known)
    more = _optional_cells(p, late_codes)
    _before(p, found, reported, "found_at", "reported_missing_at")
    _before(p, offered, reported, "rhc_offered_at", "reported_missing_at")
    _before(p, held, found, "rhc_held_at", "found_at")
    _before(p, held, offered, "rhc_held_at", "rhc_offered_at")
    if dob is not None and reported is not None and dob > london_date(reported):
        p.error("date_of_birth", "date_of_birth is after reported_missing_at")
    # A conversation is held only once accepted, and only after the child is found: the
    # figures depend on these agreeing, so a contradiction is an error, not a guess.
    has_held, has_outcome = bool(p.cells["rhc_held_at"]), bool(p.cells["rhc_outcome"])
    if outcome == "accepted" and not has_held:
        p.error("rhc_held_at", "rhc_held_at is required when rhc_outcome is accepted")
    if has_held and outcome in ("declined", "not_completed"):
        p.error("rhc_outcome", f"rhc_outcome is {outcome} but rhc_held_at is given: "
                "a conversation is only held when it is accepted")
    if has_held and not has_outcome:
        p.error("rhc_outcome", "rhc_outcome must be accepted when rhc_held_at is given")
    if has_held and not p.cells["found_at"]:
        p.error("found_at", "found_at is required when rhc_held_at is given")
    if p.failed or child_ref is None or episode_ref is None or reported is None:
        return None
    return DatasetRow(
        child_ref=child_ref, child_name=child_name, date_of_birth=dob, gender=gender,
        ethnicity=ethnicity, in_care=in_care == "yes", episode_ref=episode_ref,
        reported_missing_at=reported, found_at=found, police_risk=police_risk,
        rhc_offered_at=offered, rhc_outcome=cast("Outcome | None", outcome), rhc_held_at=held,
        risk_factors=risk_factors, line=p.line, **more,  # type: ignore[arg-type]
    )
