"""Reading a whole dataset file: size, encoding, the header, blank lines, a row count limit
and the checks across rows (an episode_ref used twice, a child's birth date that differs),
streaming so a large file is never held: :class:`DatasetFile` yields each valid row as it
is read, and can read the file again. Every error, or every row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import BinaryIO

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


class _NotText(Exception):
    """The file is not UTF-8 CSV text: reported alone, as nothing else in it can be trusted."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def _text_lines(source: BinaryIO) -> Iterator[str]:
    """The file's lines as text, decoded one at a time (a UTF-8 character never contains a
    newline byte, so this reads exactly as decoding the whole file would)."""
    for number, raw in enumerate(source, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise _NotText(RowError(number, None, "the file is not UTF-8 text (save it as "
                                    "CSV UTF-8)")) from None
        if "\x00" in line:
            raise _NotText(RowError(0, None, "the file is not a CSV text file (save it as "
                                    "CSV UTF-8)"))
        yield line


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


class DatasetFile:
    """A dataset file read as a stream: :meth:`rows` yields each valid row as it is read and
    keeps none, so a file can be checked in one pass and read again to be written in a
    second, in bounded memory. After a pass, :attr:`errors` is every error found (none means
    every row was valid) and :attr:`count` the number of rows. ``source`` is the file's bytes
    or a seekable binary file; each pass reads it from the start."""

    def __init__(self, source: bytes | BinaryIO, extra_codes: Mapping[str, str] | None = None,
                 max_bytes: int = 20 * 1024 * 1024, max_rows: int = 200_000, *,
                 now: datetime | None = None, late_reasons: Mapping[str, str] | None = None,
                 ) -> None:
        self.source = io.BytesIO(source) if isinstance(source, bytes) else source
        self.max_bytes, self.max_rows = max_bytes, max_rows
        # One "now" for both passes, so a time cannot become valid between them.
        self.now = datetime.now(UTC) if now is None else now.replace(tzinfo=now.tzinfo or UTC)
        self.codes = codes_for(extra_codes)
        self.late = tuple(late_reasons if late_reasons is not None else reasons_for(None))
        self.errors: list[RowError] = []
        self.count = 0

    def rows(self) -> Iterator[DatasetRow]:
        """One pass over the file: every valid row, then :attr:`errors` set."""
        errors, self.count = Errors(), 0
        self.source.seek(0, io.SEEK_END)
        if self.source.tell() > self.max_bytes:
            self.errors = [RowError(0, None, f"the file is larger than {_size(self.max_bytes)}")]
            return
        self.source.seek(0)
        reader = csv.reader(_text_lines(self.source), strict=True)
        try:
            for row in _read_rows(reader, errors, self.codes, self.max_rows, self.now,
                                  self.late):
                self.count += 1
                yield row
        except _NotText as exc:
            self.errors = [exc.error]
            return
        except _TooManyRows:
            message = f"the file has more than {self.max_rows:,} rows: split it into parts"
            self.errors = [RowError(0, None, message)]
            return
        except csv.Error as exc:
            errors.add(
                reader.line_num, None,
                f"the file is not valid CSV near this line ({exc}): look for a stray double "
                "quote",
            )
        self.errors = errors.result()

    def check(self) -> list[RowError]:
        """The first pass: every row checked, none kept."""
        for _row in self.rows():
            pass
        return self.errors


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
    file = DatasetFile(data, extra_codes, max_bytes, max_rows, now=now,
                       late_reasons=late_reasons)
    rows = list(file.rows())
    return ParseResult(errors=file.errors) if file.errors else ParseResult(rows=rows)


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
) -> Iterator[DatasetRow]:
    """Check every record as it streams past; yield the valid ones (a row with an error is
    only reported), so a large file is never held."""
    header = _read_header(reader, errors)
    if header is None:
        return
    width, index = header
    # Each code by itself and by its case-folded spelling, so "Drug_Misuse" is read as drug_misuse.
    known = {**{c.casefold(): c for c in codes}, **{c: c for c in codes}}
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
            yield row
    if count == 0:
        errors.add(0, None, "the file has only the header row: add one line per missing episode")
