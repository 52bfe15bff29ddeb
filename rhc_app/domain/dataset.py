"""The standardised dataset: one CSV row per missing episode and its conversation.

London's committee asked every service for one standard dataset; this module reads it (to
import episodes) and writes the pseudonymised version shared with partners. Pure: bytes in,
typed rows or plain-English errors out.

Reading rules, chosen so a worker can fix a file from the error list alone:

* Everything is validated before anything is accepted: a file with any error gives no rows
  and every error (up to :data:`MAX_ERRORS`), each with its line and column. ``line`` is the
  row number a spreadsheet shows (the header is line 1); 0 means the file as a whole.
* Columns are matched by name, in any order; a missing or an unknown column is an error, so
  a misspelt heading cannot silently drop data.
* Times without an offset are Europe/London wall-clock time, as police logs and case systems
  record them; an ambiguous autumn time is read as the first (BST) one, and a time the spring
  change skips is read with the GMT offset. ``Z`` and ``+01:00`` style offsets are honoured.
  Times are returned as aware UTC datetimes.
* The size check runs before decoding, so a huge or binary upload costs nothing to refuse.

Writing (:func:`export_dataset`): partners get the same columns except that ``child_name`` is
dropped and ``date_of_birth`` becomes ``age_band`` (a birth date plus gender and area is often
enough to identify a child); ``child_ref`` and ``episode_ref`` are replaced by the caller's
keyed pseudonyms, so the same child links across episodes and exports without revealing the
case-system reference. Times are written in Europe/London time with their offset.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import cast

from rhc_app.domain import disclosure
from rhc_app.domain import ethnicity as ethnic_groups
from rhc_app.domain.figures import EpisodeFacts, Outcome, age_band, csv_safe
from rhc_app.domain.risk_factors import codes_for
from rhc_app.domain.uk_time import LONDON, format_csv_time, london_date

COLUMNS: tuple[str, ...] = (
    "child_ref", "child_name", "date_of_birth", "gender", "ethnicity", "in_care",
    "episode_ref", "reported_missing_at", "found_at", "police_risk", "rhc_offered_at",
    "rhc_outcome", "rhc_held_at", "risk_factors",
)
EXPORT_COLUMNS: tuple[str, ...] = (
    "child_ref", "age_band", "gender", "ethnicity", "in_care", "episode_ref",
    "reported_missing_at", "found_at", "police_risk", "rhc_offered_at", "rhc_outcome",
    "rhc_held_at", "risk_factors",
)
GENDERS = ("female", "male", "other", "not_recorded")
POLICE_RISKS = ("low", "medium", "high")
OUTCOMES = ("accepted", "declined", "not_completed")
MAX_ERRORS = 1000
MIN_YEAR = 1900  # earlier years are typing slips, and would overflow time-zone arithmetic
MAX_TEXT = {"child_ref": 100, "episode_ref": 100, "child_name": 200, "ethnicity": 100}

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}+)\d*+)?)?"
    r"\s*+(?:([Zz])|([+-])(\d{2}):?(\d{2}))?",
    re.ASCII,  # \d would otherwise accept any script's digits
)  # possessive (++, *+): a cell of a million digits is one pass, not six with backtracking
_DATE_HINT = "use YYYY-MM-DD"
_DATETIME_HINT = "use YYYY-MM-DD HH:MM, for example 2024-04-01 10:00"


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


class _Errors:
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


def _size(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:g} MB" if mb >= 1 else f"{n} bytes"


def _decode(data: bytes, errors: _Errors) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.add(line, None, "the file is not UTF-8 text (save it as CSV UTF-8)")
        return None
    if "\x00" in text:
        errors.add(0, None, "the file is not a CSV text file (save it as CSV UTF-8)")
        return None
    return text


def _parse_datetime(value: str) -> datetime:
    """An aware UTC datetime; raises ValueError with the reason a person can act on."""
    m = _DATETIME.fullmatch(value)
    if not m:
        if _DATE.fullmatch(value):
            raise ValueError(f"'{value}' needs a time as well: {_DATETIME_HINT}")
        raise ValueError(f"'{value}' is not a date and time: {_DATETIME_HINT}")
    year, month, day, hour, minute, second = (int(g or 0) for g in m.group(1, 2, 3, 4, 5, 6))
    micro = int((m.group(7) or "0").ljust(6, "0"))
    try:
        tz: timezone | None = None
        if m.group(8):
            tz = UTC
        elif m.group(9):
            offset = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
            tz = timezone(-offset if m.group(9) == "-" else offset)
        at = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz or LONDON)
        at = at.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"'{value}' is not a real date and time: {_DATETIME_HINT}") from None
    if year < MIN_YEAR:
        raise ValueError(f"'{value}' is before {MIN_YEAR}: check the year")
    return at


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


class _RowParser:
    """Validates one row's cells; its problems are reported together, in column order."""

    def __init__(self, cells: dict[str, str], line: int, now: datetime):
        self.cells, self.line, self.now = cells, line, now
        self.problems: list[tuple[str | None, str]] = []

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def error(self, column: str | None, message: str) -> None:
        self.problems.append((column, message))

    def report(self, errors: _Errors) -> None:
        order = {name: i for i, name in enumerate(COLUMNS)}
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
    p: _RowParser, later: datetime | None, earlier: datetime | None, a: str, b: str
) -> None:
    if later is not None and earlier is not None and later < earlier:
        p.error(a, f"{a} is before {b}")


def _parse_row(p: _RowParser, known: Mapping[str, str]) -> DatasetRow | None:
    child_ref = p.text("child_ref", required=True)
    in_care = p.choice("in_care", ("yes", "no"), required=True)
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
        risk_factors=risk_factors, line=p.line,
    )


def _check_header(header: list[str], errors: _Errors) -> dict[str, int] | None:
    index: dict[str, int] = {}
    for i, heading in enumerate(h.strip() for h in header):
        name = heading.lower()
        if not name:
            errors.add(1, None, f"column {i + 1} has no name")
        elif name in index:
            errors.add(1, name, f"column {name} appears more than once")
        elif name not in COLUMNS:
            errors.add(1, heading, f"unknown column: {heading}")
        else:
            index[name] = i
    for name in COLUMNS:
        if name not in index:
            errors.add(1, name, f"missing column: {name}")
    return None if errors.kept else index


class _TooManyRows(Exception):
    pass


def parse_dataset(
    data: bytes,
    extra_codes: Mapping[str, str] | None = None,
    max_bytes: int = 20 * 1024 * 1024,
    max_rows: int = 200_000,
    *,
    now: datetime | None = None,
) -> ParseResult:
    """Read a standard dataset file; all rows, or no rows and every error found."""
    errors = _Errors()
    if len(data) > max_bytes:
        message = f"the file is larger than {_size(max_bytes)}"
        return ParseResult(errors=[RowError(0, None, message)])
    text = _decode(data, errors)
    if text is None:
        return ParseResult(errors=errors.result())
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        now = datetime.now(UTC) if now is None else now.replace(tzinfo=now.tzinfo or UTC)
        rows = _read_rows(reader, errors, codes_for(extra_codes), max_rows, now)
    except _TooManyRows:
        message = f"the file has more than {max_rows:,} rows: split it into parts"
        return ParseResult(errors=[RowError(0, None, message)])
    except csv.Error as exc:
        errors.add(
            reader.line_num, None,
            f"the file is not valid CSV near this line ({exc}): look for a stray double quote",
        )
    return ParseResult(errors=errors.result()) if errors.kept else ParseResult(rows=rows)


def _blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _report_blank_run(errors: _Errors, first: int, count: int) -> None:
    if count == 1:
        errors.add(first, None, "this line is empty: delete it or fill it in")
    else:
        errors.add(first, None, f"lines {first:,} to {first + count - 1:,} are empty "
                   f"({count:,} lines): delete them or fill them in")


def _read_rows(
    reader: Iterator[list[str]],
    errors: _Errors,
    codes: Mapping[str, str],
    max_rows: int,
    now: datetime,
) -> list[DatasetRow]:
    """Check every record as it streams past, so a large file is never held twice."""
    header = next(reader, None)
    if header is None or _blank(header):
        if all(_blank(record) for record in reader):
            errors.add(0, None, "the file is empty")
        else:
            errors.add(1, None, "line 1 is empty: it must hold the column names")
        return []
    index = _check_header(header, errors)
    if index is None:
        return []
    # Each code by itself and by its case-folded spelling, so "Drug_Misuse" is read as drug_misuse.
    known = {**{c.casefold(): c for c in codes}, **{c: c for c in codes}}
    rows: list[DatasetRow] = []
    episode_lines: dict[str, int] = {}
    birth_dates: dict[str, tuple[date, int]] = {}
    # A run of blank lines is reported only if a row follows (blank lines at the end are
    # fine), as one error: kept as its first line and length, never a list of every line.
    blank_from, blanks = 0, 0
    count = 0
    for line, record in enumerate(reader, start=2):
        if _blank(record):
            blank_from, blanks = (blank_from or line), blanks + 1
            continue
        if blanks:
            _report_blank_run(errors, blank_from, blanks)
            blank_from, blanks = 0, 0
        count += 1
        if count > max_rows:
            raise _TooManyRows
        if len(record) != len(header):
            errors.add(line, None,
                       f"this line has {len(record)} fields but the header has {len(header)}")
            continue
        cells = {name: record[i].strip() for name, i in index.items()}
        p = _RowParser(cells, line, now)
        row = _parse_row(p, known)
        ref = cells["episode_ref"]
        key = ref.casefold()  # references are matched without regard to case, as stored
        if key in episode_lines:
            message = f"episode_ref '{ref}' is already used on line {episode_lines[key]}"
            p.error("episode_ref", message)
        elif ref:
            episode_lines[key] = line
        if row is not None and row.date_of_birth is not None:
            first = birth_dates.setdefault(row.child_ref.casefold(), (row.date_of_birth, line))
            if first[0] != row.date_of_birth:
                p.error("date_of_birth", f"date_of_birth differs from line {first[1]} "
                        f"for child_ref '{row.child_ref}'")
        if p.failed:
            p.report(errors)
        elif row is not None:
            rows.append(row)
    if count == 0:
        errors.add(0, None, "the file has only the header row: add one line per missing episode")
    return rows


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return format_csv_time(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return csv_safe(value)


def export_dataset(
    rows: Iterable[DatasetRow], pseudonym: Callable[[str, str], str], as_of: date,
    threshold: int | None = None,
) -> str:
    """The partner export: pseudonymised refs, age band instead of name and birth date.

    Ethnicity is the census category (an older stored value as recorded). With a
    `threshold`, a category fewer children than that share in the export is withheld: a
    child who is the only one of their group in a borough's export is recognisable."""
    rows = list(rows)
    shown = [(r.child_ref, ethnic_groups.display(r.ethnicity)) for r in rows]
    rare = disclosure.rare_values(shown, threshold) if threshold else set()
    withheld = disclosure.WITHHELD.format(n=threshold)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for r, (_child, ethnicity) in zip(rows, shown, strict=True):
        writer.writerow(_cell(v) for v in (
            pseudonym("child", r.child_ref), age_band(r.date_of_birth, as_of), r.gender,
            withheld if ethnicity in rare else ethnicity, r.in_care,
            pseudonym("episode", r.episode_ref), r.reported_missing_at,
            r.found_at, r.police_risk, r.rhc_offered_at, r.rhc_outcome, r.rhc_held_at,
            ";".join(r.risk_factors),
        ))
    return out.getvalue()
