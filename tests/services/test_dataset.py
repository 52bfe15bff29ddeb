"""Reading and writing the standard dataset: every kind of bad file, and the partner export."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import hmac
import io
import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rhc_app.domain.dataset import (
    COLUMNS,
    EXPORT_COLUMNS,
    DatasetRow,
    RowError,
    export_dataset,
    parse_dataset,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)
HEADER = ",".join(COLUMNS)
GOOD = {
    "child_ref": "C100", "child_name": "Test Child One", "date_of_birth": "2010-05-01",
    "gender": "female", "ethnicity": "White British", "in_care": "yes", "episode_ref": "E100",
    "reported_missing_at": "2024-04-01 10:00", "found_at": "2024-04-02 09:00",
    "police_risk": "medium", "rhc_offered_at": "2024-04-02 10:00", "rhc_outcome": "accepted",
    "rhc_held_at": "2024-04-03 10:00", "risk_factors": "drug_misuse;bullied",
}
NOT_UTF8 = "the file is not UTF-8 text (save it as CSV UTF-8)"


def line(**changes: str) -> str:
    values = {**GOOD, **changes}
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values[c] for c in COLUMNS)
    return out.getvalue()


def parse(*lines: str, header: str = HEADER, **kw):
    return parse_dataset("\r\n".join((header, *lines)).encode(), now=NOW, **kw)


def test_a_good_file_parses_to_typed_rows():
    result = parse(line(), line(episode_ref="E101", reported_missing_at="2024-01-15 10:00",
                                found_at="", rhc_offered_at="", rhc_outcome="",
                                rhc_held_at="", risk_factors="", date_of_birth="",
                                gender="", police_risk="", in_care="NO"))
    assert result.ok and result.errors == []
    first, second = result.rows
    assert first == DatasetRow(
        child_ref="C100", child_name="Test Child One", date_of_birth=date(2010, 5, 1),
        gender="female", ethnicity="White: English, Welsh, Scottish, Northern Irish or British",
        in_care=True, episode_ref="E100",
        reported_missing_at=datetime(2024, 4, 1, 9, 0, tzinfo=UTC),  # 10:00 BST
        found_at=datetime(2024, 4, 2, 8, 0, tzinfo=UTC), police_risk="medium",
        rhc_offered_at=datetime(2024, 4, 2, 9, 0, tzinfo=UTC), rhc_outcome="accepted",
        rhc_held_at=datetime(2024, 4, 3, 9, 0, tzinfo=UTC),
        risk_factors=("drug_misuse", "bullied"),
    )
    assert first.line == 2 and second.line == 3
    assert second.reported_missing_at == datetime(2024, 1, 15, 10, 0, tzinfo=UTC)  # GMT
    assert second.found_at is None and second.in_care is False and second.gender is None
    assert "Test Child One" not in repr(first)  # names stay out of logs
    facts = first.facts()
    assert facts.child_key == "C100" and facts.outcome == "accepted" and facts.in_care


@pytest.mark.parametrize(
    "text",
    ["2024-04-01T10:00", "2024-04-01 10:00", "2024-04-01T10:00:00", "2024-04-01 10:00:00.000",
     "2024-04-01T09:00Z", "2024-04-01T09:00:00z", "2024-04-01T10:00+01:00",
     "2024-04-01T10:00:00+0100", "2024-04-01T05:00-04:00"],
)
def test_accepted_date_time_forms(text):
    result = parse(line(reported_missing_at=text))
    assert result.errors == []
    assert result.rows[0].reported_missing_at == datetime(2024, 4, 1, 9, 0, tzinfo=UTC)
    assert result.rows[0].reported_missing_at.tzinfo is UTC


def test_bom_crlf_trailing_blank_lines_any_column_order_and_case():
    columns = list(reversed(COLUMNS))
    header = ",".join(c.upper() for c in columns)
    row = ",".join(f'"{GOOD[c]}"' for c in columns)
    data = ("\ufeff" + header + "\r\n" + row + "\r\n\r\n,,,\r\n\n").encode()
    result = parse_dataset(data, now=NOW)
    assert result.errors == [] and len(result.rows) == 1


def test_own_codes_and_code_case():
    result = parse(line(risk_factors=" Drug_Misuse ; own_code;drug_misuse;"),
                   extra_codes={"own_code": "A code of our own"})
    assert result.rows[0].risk_factors == ("drug_misuse", "own_code")


def err(line_no: int, column: str | None, message: str) -> list[RowError]:
    return [RowError(line_no, column, message)]


BAD_ROWS = [
    ({"risk_factors": "foo;drug_misuse"},
     err(2, "risk_factors", "risk_factors: 'foo' is not a known risk-factor code")),
    ({"date_of_birth": "2023-02-30"},
     err(2, "date_of_birth", "date_of_birth '2023-02-30' is not a real date: use YYYY-MM-DD")),
    ({"date_of_birth": "01/05/2010"},
     err(2, "date_of_birth", "date_of_birth '01/05/2010' is not a date: use YYYY-MM-DD")),
    ({"reported_missing_at": "2024-02-30 10:00"},
     err(2, "reported_missing_at", "reported_missing_at '2024-02-30 10:00' is not a real date "
         "and time: use YYYY-MM-DD HH:MM, for example 2024-04-01 10:00")),
    ({"reported_missing_at": "2024-04-01"},
     err(2, "reported_missing_at", "reported_missing_at '2024-04-01' needs a time as well: "
         "use YYYY-MM-DD HH:MM, for example 2024-04-01 10:00")),
    ({"found_at": "2024-04-01 09:59"},
     err(2, "found_at", "found_at is before reported_missing_at")),
    ({"rhc_held_at": ""},
     err(2, "rhc_held_at", "rhc_held_at is required when rhc_outcome is accepted")),
    ({"rhc_held_at": "2024-04-02 08:00", "rhc_offered_at": ""},
     err(2, "rhc_held_at", "rhc_held_at is before found_at")),
    ({"rhc_held_at": "2024-04-02 09:30"},
     err(2, "rhc_held_at", "rhc_held_at is before rhc_offered_at")),
    ({"rhc_outcome": "declined"},
     err(2, "rhc_outcome", "rhc_outcome is declined but rhc_held_at is given: a conversation "
         "is only held when it is accepted")),
    ({"rhc_outcome": ""},
     err(2, "rhc_outcome", "rhc_outcome must be accepted when rhc_held_at is given")),
    ({"found_at": "", "rhc_offered_at": ""},
     err(2, "found_at", "found_at is required when rhc_held_at is given")),
    ({"reported_missing_at": "2025-06-01 10:00", "found_at": "", "rhc_offered_at": "",
      "rhc_outcome": "", "rhc_held_at": ""},
     err(2, "reported_missing_at", "reported_missing_at is in the future")),
    ({"date_of_birth": "2025-01-02"}, err(2, "date_of_birth", "date_of_birth is in the future")),
    ({"date_of_birth": "2024-05-01"},
     err(2, "date_of_birth", "date_of_birth is after reported_missing_at")),
    ({"gender": "f"}, err(2, "gender", "gender 'f' is not one of: female, male, other, "
                                       "not_recorded")),
    ({"in_care": ""}, err(2, "in_care", "in_care is required")),
    ({"in_care": "maybe"}, err(2, "in_care", "in_care 'maybe' is not one of: yes, no")),
    ({"police_risk": "none"}, err(2, "police_risk", "police_risk 'none' is not one of: low, "
                                                    "medium, high")),
    ({"rhc_outcome": "refused"}, err(2, "rhc_outcome", "rhc_outcome 'refused' is not one of: "
                                                       "accepted, declined, not_completed")),
    ({"child_ref": " "}, err(2, "child_ref", "child_ref is required")),
    ({"episode_ref": "E" * 101}, err(2, "episode_ref", "episode_ref is longer than 100 "
                                                       "characters")),
]


@pytest.mark.parametrize(("changes", "errors"), BAD_ROWS)
def test_each_bad_value_names_its_line_and_column(changes, errors):
    result = parse(line(episode_ref="E1"), line(**changes))
    assert result.errors == [RowError(3, e.column, e.message) for e in errors]
    assert result.rows == []


def test_every_error_is_collected_not_just_the_first():
    result = parse(line(gender="f"), line(episode_ref="E2", in_care="x", police_risk="y"))
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "gender"), (3, "in_care"), (3, "police_risk")]


def test_a_lines_errors_come_in_column_order():
    result = parse(line(risk_factors="nope", police_risk="y", child_ref="", gender="x",
                        found_at="2024-03-01 10:00"))
    assert [e.column for e in result.errors] == [
        "child_ref", "gender", "found_at", "police_risk", "risk_factors"]


@pytest.mark.parametrize(
    "text", ["٢٠٢٤-٠٤-٠١ ١٠:٠٠", "2024-04-01 10:00 BST", "1/4/2024 10:00", "2024-04-01 25:00",
             "2024-04-01T10:00+24:00", "0000-01-01 10:00", "9999-12-31 23:59-01:00",
             "9999-12-31 23:59", "0001-01-01 00:00Z", "1899-12-31 23:00"],
)
def test_rejected_date_time_forms(text):
    result = parse(line(reported_missing_at=text))
    assert result.rows == []
    assert result.errors[0].column == "reported_missing_at"


def test_duplicate_episode_ref_names_the_earlier_line():
    result = parse(line(), line(episode_ref="E2"), line(child_ref="C9"))
    assert result.errors == err(4, "episode_ref", "episode_ref 'E100' is already used on line 2")
    assert result.rows == []


def test_one_child_with_two_birth_dates():
    result = parse(line(), line(episode_ref="E2", date_of_birth="2010-05-02"))
    assert result.errors == err(3, "date_of_birth",
                                "date_of_birth differs from line 2 for child_ref 'C100'")


@pytest.mark.parametrize(
    ("header", "errors"),
    [
        (HEADER.replace("in_care,", ""), err(1, "in_care", "missing column: in_care")),
        (HEADER + ",xyz", err(1, "xyz", "unknown column: xyz")),
        (HEADER + ", Child Ref", err(1, "Child Ref", "unknown column: Child Ref")),
        (HEADER + ",gender", err(1, "gender", "column gender appears more than once")),
        (HEADER + ",", err(1, None, "column 15 has no name")),
    ],
)
def test_header_problems(header, errors):
    result = parse(line(), header=header)
    assert result.errors == errors and result.rows == []


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ((HEADER + "\r\n" + line() + "\r\n" + line(ethnicity="Zoë")).encode("latin-1"),
         err(3, None, NOT_UTF8)),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), err(1, None, NOT_UTF8)),
        (random.Random(7).randbytes(50_000), err(1, None, NOT_UTF8)),
        (b"abc\x00def", err(0, None, "the file is not a CSV text file (save it as CSV UTF-8)")),
        (b"", err(0, None, "the file is empty")),
        ((HEADER + "\r\n,,,\r\n").encode(),
         err(0, None, "the file has only the header row: add one line per missing episode")),
        (b"\xef\xbb\xbf\r\n\r\n", err(0, None, "the file is empty")),
        (("\r\n" + HEADER).encode(),
         err(1, None, "line 1 is empty: it must hold the column names")),
        ((HEADER + '\r\n"C1,unfinished').encode(),
         err(2, None, "the file is not valid CSV near this line (unexpected end of data): look "
             "for a stray double quote")),
        ((HEADER + "\r\n" + line() + ",extra").encode(),
         err(2, None, "this line has 15 fields but the header has 14")),
        ((HEADER + "\r\n\r\n" + line()).encode(),
         err(2, None, "this line is empty: delete it or fill it in")),
    ],
)
def test_whole_file_problems(data, errors):
    result = parse_dataset(data, now=NOW)
    assert result.errors == errors and result.rows == []


def test_oversized_input_is_refused_before_decoding():
    junk = random.Random(1).randbytes(100 * 1024 * 1024)
    result = parse_dataset(junk)
    assert result.errors == err(0, None, "the file is larger than 20 MB")
    assert result.rows == []
    small = parse_dataset(b"x" * 101, max_bytes=100)
    assert small.errors == err(0, None, "the file is larger than 100 bytes")


def test_too_many_rows():
    result = parse(line(), line(episode_ref="E2"), line(episode_ref="E3"), max_rows=2)
    assert result.errors == err(0, None, "the file has more than 2 rows: split it into parts")


def test_the_error_list_is_capped():
    result = parse(*(line(episode_ref=f"E{i}", gender="f") for i in range(1500)))
    assert len(result.errors) == 1001
    assert result.errors[999].line == 1001
    assert result.errors[-1] == RowError(0, None, "…and 500 more errors")
    assert str(result.errors[-1]) == "File: …and 500 more errors"
    assert str(result.errors[0]).startswith("Line 2, gender: gender 'f'")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_random_input_never_raises(data):
    result = parse_dataset(data, now=NOW)
    assert result.rows == [] or result.errors == []
    assert result.rows or result.errors


# Cells drawn from good values, near misses and noise, so the row checks are exercised too.
cell = {c: st.sampled_from([GOOD[c], ""]) | st.text(max_size=12) for c in COLUMNS}
times = st.from_regex(r"\d{4}-[01]\d-[0-3]\d[T ][0-2]\d:[0-5]\d(:\d\d)?(Z|[+-][01]\d:\d\d)?",
                      fullmatch=True)
cell["reported_missing_at"] = times | st.sampled_from(
    ["2024-04-01 10:00", "2024-13-01 10:00", "2024-10-27 01:30", "2024-03-31T01:30+00:00"])
cell["found_at"] = times | st.sampled_from(["", "2024-04-02 09:00", "2024-03-01 09:00", "x"])
cell["rhc_held_at"] = times | cell["rhc_held_at"]
dates = st.from_regex(r"\d{4}-[01]\d-[0-3]\d", fullmatch=True)
cell["date_of_birth"] = dates | cell["date_of_birth"]
cell["rhc_outcome"] = st.sampled_from(["", *("accepted", "declined", "not_completed", "no")])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries(cell), min_size=1, max_size=5))
def test_random_rows_never_raise_and_good_rows_are_consistent(rows):
    lines = [line(**r) for r in rows]
    result = parse_dataset("\n".join((HEADER, *lines)).encode(), now=NOW)
    assert result.rows == [] or result.errors == []
    for row in result.rows:
        assert row.found_at is None or row.found_at >= row.reported_missing_at
        assert row.rhc_held_at is None or row.rhc_outcome == "accepted"
        assert row.reported_missing_at.tzinfo is UTC


def pseudonym(kind: str, ref: str) -> str:
    return hmac.new(b"test key", f"{kind}:{ref}".encode(), hashlib.sha256).hexdigest()[:16]


def test_export_is_pseudonymised():
    rows = parse(line(), line(episode_ref="E2", rhc_outcome="declined", rhc_held_at="",
                              risk_factors="", reported_missing_at="2024-01-10 10:00")).rows
    # An older record's free-text ethnicity (imports now refuse it) still leaves neutralised.
    rows[1] = dataclasses.replace(rows[1], ethnicity="=HYPERLINK(\"x\")")
    text = export_dataset(rows, pseudonym, as_of=date(2024, 6, 30))
    records = list(csv.reader(io.StringIO(text)))
    assert records[0] == list(EXPORT_COLUMNS)
    first, second = (dict(zip(EXPORT_COLUMNS, r, strict=True)) for r in records[1:])
    assert first["child_ref"] == second["child_ref"] == pseudonym("child", "C100")
    assert first["episode_ref"] == pseudonym("episode", "E100") != pseudonym("child", "E100")
    assert first["age_band"] == "14–15"
    assert first["in_care"] == "yes" and first["risk_factors"] == "drug_misuse;bullied"
    assert first["reported_missing_at"] == "2024-04-01T10:00:00+01:00"
    assert second["reported_missing_at"] == "2024-01-10T10:00:00+00:00"
    assert second["rhc_held_at"] == "" and second["rhc_outcome"] == "declined"
    assert second["ethnicity"] == "'=HYPERLINK(\"x\")"  # not run as a formula
    for secret in ("C100", "E100", "Test Child One", "2010-05-01"):
        assert secret not in text


def test_export_of_no_rows_is_just_the_header():
    assert export_dataset([], pseudonym, date(2024, 1, 1)) == ",".join(EXPORT_COLUMNS) + "\r\n"


def test_times_are_stored_as_utc_whatever_the_offset():
    result = parse(line(reported_missing_at="2024-04-01T18:00+10:00", found_at="", rhc_held_at="",
                        rhc_offered_at="", rhc_outcome=""))
    at = result.rows[0].reported_missing_at
    assert at == datetime(2024, 4, 1, 8, 0, tzinfo=timezone(timedelta(0)))
    assert at.utcoffset() == timedelta(0)
