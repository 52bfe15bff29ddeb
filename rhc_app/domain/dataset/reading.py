"""Reading a whole dataset file: size, encoding, the header, blank lines, a row count limit
and the checks across rows (an episode_ref used twice, a child's birth date that differs),
streaming so a large file is never held twice. Every error, or every row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime

from rhc_app.domain.dataset.cells import Errors, RowParser, parse_row
from rhc_app.domain.dataset.columns import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    DatasetRow,
    ParseResult,
    RowError,
)
from rhc_app.domain.delay_reasons import reasons_for
from rhc_app.domain.risk_factors import codes_for


def _size(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:g} MB" if mb >= 1 else f"{n} bytes"


def _decode(data: bytes, errors: Errors) -> str | None:
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


def _check_header(header: list[str], errors: Errors) -> dict[str, int] | None:
    index: dict[str, int] = {}
    for i, heading in enumerate(h.strip() for h in header):
        name = heading.lower()
        if not name:
            errors.add(1, None, f"column {i + 1} has no name")
        elif name in index:
            errors.add(1, name, f"column {name} appears more than once")
        elif name not in COLUMNS and name not in OPTIONAL_COLUMNS:
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
    late_reasons: Mapping[str, str] | None = None,
) -> ParseResult:
    """Read a standard dataset file; all rows, or no rows and every error found.
    ``late_reasons`` is the organisation's list (default: the starting list)."""
    errors = Errors()
    if len(data) > max_bytes:
        message = f"the file is larger than {_size(max_bytes)}"
        return ParseResult(errors=[RowError(0, None, message)])
    text = _decode(data, errors)
    if text is None:
        return ParseResult(errors=errors.result())
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        now = datetime.now(UTC) if now is None else now.replace(tzinfo=now.tzinfo or UTC)
        late = late_reasons if late_reasons is not None else reasons_for(None)
        rows = _read_rows(reader, errors, codes_for(extra_codes), max_rows, now, tuple(late))
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


def _report_blank_run(errors: Errors, first: int, count: int) -> None:
    if count == 1:
        errors.add(first, None, "this line is empty: delete it or fill it in")
    else:
        errors.add(first, None, f"lines {first:,} to {first + count - 1:,} are empty "
                   f"({count:,} lines): delete them or fill them in")


class _AcrossRows:
    """What one row must agree with in the rows before it: episode_ref once in the file, and
    one birth date for each child_ref (both matched without regard to case, as stored)."""

    def __init__(self) -> None:
        self.episode_lines: dict[str, int] = {}
        self.birth_dates: dict[str, tuple[date, int]] = {}

    def check(self, p: RowParser, row: DatasetRow | None) -> None:
        ref = p.cells["episode_ref"]
        key = ref.casefold()
        if key in self.episode_lines:
            message = f"episode_ref '{ref}' is already used on line {self.episode_lines[key]}"
            p.error("episode_ref", message)
        elif ref:
            self.episode_lines[key] = p.line
        if row is not None and row.date_of_birth is not None:
            first = self.birth_dates.setdefault(row.child_ref.casefold(),
                                                (row.date_of_birth, p.line))
            if first[0] != row.date_of_birth:
                p.error("date_of_birth", f"date_of_birth differs from line {first[1]} "
                        f"for child_ref '{row.child_ref}'")


def _read_header(reader: Iterator[list[str]], errors: Errors) -> tuple[int, dict[str, int]] | None:
    """The number of columns and where each is, or None (with the errors) if unusable."""
    header = next(reader, None)
    if header is None or _blank(header):
        if all(_blank(record) for record in reader):
            errors.add(0, None, "the file is empty")
        else:
            errors.add(1, None, "line 1 is empty: it must hold the column names")
        return None
    index = _check_header(header, errors)
    return None if index is None else (len(header), index)


def _read_rows(
    reader: Iterator[list[str]],
    errors: Errors,
    codes: Mapping[str, str],
    max_rows: int,
    now: datetime,
    late_codes: tuple[str, ...] = (),
) -> list[DatasetRow]:
    """Check every record as it streams past, so a large file is never held twice."""
    header = _read_header(reader, errors)
    if header is None:
        return []
    width, index = header
    # Each code by itself and by its case-folded spelling, so "Drug_Misuse" is read as drug_misuse.
    known = {**{c.casefold(): c for c in codes}, **{c: c for c in codes}}
    rows: list[DatasetRow] = []
    across = _AcrossRows()
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
        if len(record) != width:
            errors.add(line, None, f"this line has {len(record)} fields but the header has {width}")
            continue
        cells = dict.fromkeys(OPTIONAL_COLUMNS, "")  # left out of an older file: empty
        cells.update({name: record[i].strip() for name, i in index.items()})
        p = RowParser(cells, line, now)
        row = parse_row(p, known, late_codes)
        across.check(p, row)
        if p.failed:
            p.report(errors)
        elif row is not None:
            rows.append(row)
    if count == 0:
        errors.add(0, None, "the file has only the header row: add one line per missing episode")
    return rows
