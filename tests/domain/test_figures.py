"""The quarterly figures, risk-factor counts and breakdowns, checked cell by cell.

The episodes below are written out by hand so every expected cell can be worked out on paper
(the working is in the comments); nothing here recomputes an answer with the code under test.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhc_app.domain.figures import (
    MEASURES,
    EpisodeFacts,
    age_band,
    breakdown,
    financial_quarter,
    financial_year_label,
    format_percent,
    quarterly_table,
    risk_factor_counts,
    risk_factors_to_csv,
    risk_factors_to_text,
    to_csv,
    to_text,
    within_timescale,
)

CARE = {"A": True, "B": False, "C": True, "D": False, "E": True, "F": False, "G": True, "H": False}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def episode(child: str, reported: str, kind: str, **extra: object) -> EpisodeFacts:
    """One episode of a given kind; found 5 h after the report, offered 1 h after that."""
    at = utc(reported)
    found = at + timedelta(hours=5)
    offered = found + timedelta(hours=1)
    held = {
        "within": found + timedelta(hours=24),
        "at72": found + timedelta(hours=72),
        "late": found + timedelta(hours=72, minutes=1),
        "acc_unoffered": found + timedelta(hours=10),
    }
    outcome = {"declined": "declined", "nc": "not_completed", "nc_no_offer": "not_completed",
               "dec_unoffered": "declined"}.get(kind, "accepted" if kind in held else None)
    return EpisodeFacts(
        child_key=child,
        in_care=CARE[child],
        reported_missing_at=at,
        found_at=None if kind == "missing" else found,
        offered_at=offered if kind in ("within", "at72", "late", "declined", "nc") else None,
        outcome=outcome,  # type: ignore[arg-type]
        held_at=held.get(kind),
        **extra,  # type: ignore[arg-type]
    )


EPISODES = [
    # Q1 2023/24. 23:30 UTC on 31 March 2023 is 00:30 BST on 1 April: Q1 of 2023/24.
    episode("A", "2023-03-31 23:30", "within"),
    episode("B", "2023-04-10 10:00", "at72"),  # exactly 72 h: within
    episode("C", "2023-05-01 10:00", "late"),  # 72 h 1 min: not within
    episode("A", "2023-05-20 10:00", "declined"),
    episode("D", "2023-06-15 10:00", "none"),
    episode("B", "2023-06-20 10:00", "acc_unoffered"),  # accepted, so offered
    # Q2. 23:30 UTC on 30 June is 00:30 BST on 1 July.
    episode("E", "2023-06-30 23:30", "within"),
    episode("F", "2023-07-15 10:00", "nc"),
    episode("A", "2023-08-01 10:00", "within"),
    episode("F", "2023-08-02 10:00", "missing"),
    episode("G", "2023-09-10 10:00", "dec_unoffered"),  # declined, so offered
    episode("B", "2023-09-30 22:59", "late"),  # 23:59 BST on 30 September: still Q2
    # Q3. 23:30 UTC on 30 September is 00:30 BST on 1 October; 31 December is GMT.
    episode("H", "2023-09-30 23:30", "nc_no_offer"),
    episode("H", "2023-10-20 10:00", "none"),
    episode("D", "2023-12-31 23:30", "within"),
    # Q4. 00:30 UTC on 31 March 2024 is 00:30 GMT, half an hour before the clocks change.
    episode("C", "2024-01-01 00:00", "declined"),
    episode("E", "2024-03-31 00:30", "within"),
    episode("A", "2024-02-14 10:00", "late"),
    episode("G", "2024-03-01 10:00", "nc"),
    # Not in 2023/24: 00:30 BST on 1 April 2024, and 23:30 BST on 31 March 2023.
    episode("B", "2024-03-31 23:30", "within"),
    episode("D", "2023-03-31 22:30", "within"),
]

# Working (all children): Q1 children A,B,C,D; episodes 6; offered all but D's = 5;
# accepted A,B,C,B = 4 (80.0%); declined 1; within A,B(72h),B(10h) = 3 (3/4 = 75.0%).
# Q2 children E,F,A,G,B; offered 7,8,9,11,12 = 5; accepted E,A,B = 3 (60.0%); declined G;
# within E,A = 2 (66.7%). Q3 children H,D; offered D only; accepted and within D.
# Q4 children C,E,A,G; offered 4; accepted E,A = 2 (50.0%); declined C; within E.
# Year: 8 children, 19 episodes, 15 offered, 10 accepted (66.7%), 3 declined, 7 within (70.0%).
EXPECTED_ALL = [
    ["No. Missing Children", "4", "5", "2", "4", "8"],
    ["No. Missing Episodes", "6", "6", "3", "4", "19"],
    ["No. RHC Offered", "5", "5", "1", "4", "15"],
    ["RHC Accepted", "4", "3", "1", "2", "10"],
    ["% RHC Accepted", "80.0%", "60.0%", "100.0%", "50.0%", "66.7%"],
    ["RHC Declined", "1", "1", "0", "1", "3"],
    ["RHC Within Timescale", "3", "2", "1", "1", "7"],
    ["% Within Timescale", "75.0%", "66.7%", "100.0%", "50.0%", "70.0%"],
]
# In care (A, C, E, G): Q1 A,C,A; Q2 E,A,G; Q3 none (so "-"); Q4 C,E,A,G.
EXPECTED_IN_CARE = [
    ["No. Missing Children", "2", "3", "0", "4", "4"],
    ["No. Missing Episodes", "3", "3", "0", "4", "10"],
    ["No. RHC Offered", "3", "3", "0", "4", "10"],
    ["RHC Accepted", "2", "2", "0", "2", "6"],
    ["% RHC Accepted", "66.7%", "66.7%", "-", "50.0%", "60.0%"],
    ["RHC Declined", "1", "1", "0", "1", "3"],
    ["RHC Within Timescale", "1", "2", "0", "1", "4"],
    ["% Within Timescale", "50.0%", "100.0%", "-", "50.0%", "66.7%"],
]


@pytest.mark.parametrize(
    ("cohort", "expected"), [("all", EXPECTED_ALL), ("in-care", EXPECTED_IN_CARE)]
)
def test_every_cell_of_both_cohorts(cohort, expected):
    table = quarterly_table(EPISODES, 2023, cohort)
    assert table.as_rows() == expected
    assert [r.measure for r in table.rows] == list(MEASURES)


def test_the_order_of_episodes_does_not_matter():
    assert quarterly_table(reversed(EPISODES), 2023).as_rows() == EXPECTED_ALL


def test_neighbouring_years_pick_up_the_edge_episodes():
    assert quarterly_table(EPISODES, 2024).as_rows()[1] == ["No. Missing Episodes", "1", "0",
                                                           "0", "0", "1"]
    assert quarterly_table(EPISODES, 2022).as_rows()[1][4:] == ["1", "1"]


def test_unknown_cohort_is_refused():
    with pytest.raises(ValueError):
        quarterly_table(EPISODES, 2023, "looked-after")  # type: ignore[arg-type]


def test_numeric_values_for_charts():
    table = quarterly_table(EPISODES, 2023, "in-care")
    assert table.quarters("No. Missing Episodes") == [3.0, 3.0, 0.0, 4.0]
    assert table.quarters("% RHC Accepted") == [66.7, 66.7, None, 50.0]
    assert table.title == "2023/24, children in care"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (utc("2023-03-31 23:30"), (2023, 1)),  # BST: 1 April locally
        (utc("2023-03-31 22:59"), (2022, 4)),
        (utc("2024-03-31 00:30"), (2023, 4)),  # GMT until 01:00 UTC that day
        (utc("2024-03-31 23:30"), (2024, 1)),
        (utc("2023-06-30 23:00"), (2023, 2)),
        (utc("2023-12-31 23:59"), (2023, 3)),  # GMT: still 31 December
        (utc("2024-01-01 00:00"), (2023, 4)),
        (datetime(2023, 4, 1, 0, 30), (2023, 1)),  # naive: read as London time
        (date(2024, 3, 31), (2023, 4)),
    ],
)
def test_financial_quarter(when, expected):
    assert financial_quarter(when) == expected


def test_financial_year_label():
    assert financial_year_label(2023) == "2023/24"
    assert financial_year_label(2099) == "2099/00"


def test_within_timescale_boundaries():
    found = utc("2024-05-01 12:00")
    assert within_timescale(found, found + timedelta(hours=72))
    assert not within_timescale(found, found + timedelta(hours=72, minutes=1))
    assert within_timescale(found, found)
    assert not within_timescale(found, found - timedelta(minutes=1))  # data error
    assert not within_timescale(None, found)
    assert not within_timescale(found, None)
    assert within_timescale(found, found + timedelta(hours=24), hours=24)


def test_within_timescale_counts_real_hours_across_the_clock_change():
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    # Clocks go back at 02:00 BST on 29 October 2023: 12:00 BST Friday to 11:00 GMT Monday is
    # 72 real hours although the wall clock shows 71, and 12:00 GMT Monday is 73 real hours.
    found = datetime(2023, 10, 27, 12, 0, tzinfo=london)
    assert within_timescale(found, datetime(2023, 10, 30, 11, 0, tzinfo=london))
    assert not within_timescale(found, datetime(2023, 10, 30, 12, 0, tzinfo=london))


@pytest.mark.parametrize(
    ("num", "den", "text"),
    [
        (902, 1161, "77.7%"), (284, 902, "31.5%"), (1, 16, "6.3%"), (3, 16, "18.8%"),
        (1, 8, "12.5%"), (0, 5, "0.0%"), (5, 5, "100.0%"), (0, 0, "-"), (2, 3, "66.7%"),
    ],
)
def test_format_percent_rounds_half_up(num, den, text):
    assert format_percent(num, den) == text


# The Gateshead tables (seeds/004), every quarter: (offered, accepted, %, within, %).
GATESHEAD = {
    "all 2022/23": [(354, 180, "50.8%", 41, "22.8%"), (478, 176, "36.8%", 39, "22.2%"),
                    (345, 212, "61.4%", 43, "20.3%"), (390, 318, "81.5%", 60, "18.9%"),
                    (1567, 886, "56.5%", 183, "20.7%")],
    "all 2023/24": [(351, 291, "82.9%", 53, "18.2%"), (252, 191, "75.8%", 60, "31.4%"),
                    (269, 193, "71.7%", 80, "41.5%"), (289, 227, "78.5%", 91, "40.1%"),
                    (1161, 902, "77.7%", 284, "31.5%")],
    "care 2022/23": [(210, 117, "55.7%", 37, "31.6%"), (324, 122, "37.7%", 31, "25.4%"),
                     (206, 141, "68.4%", 31, "22.0%"), (221, 191, "86.4%", 48, "25.1%"),
                     (961, 571, "59.4%", 147, "25.7%")],
    "care 2023/24": [(188, 176, "93.6%", 37, "21.0%"), (134, 118, "88.1%", 47, "39.8%"),
                     (171, 138, "80.7%", 54, "39.1%"), (175, 146, "83.4%", 48, "32.9%"),
                     (668, 578, "86.5%", 186, "32.2%")],
}


@pytest.mark.parametrize("name", GATESHEAD)
def test_gateshead_percentages(name):
    for offered, accepted, pct_accepted, within, pct_within in GATESHEAD[name]:
        assert format_percent(accepted, offered) == pct_accepted
        assert format_percent(within, accepted) == pct_within


def test_gateshead_2023_24_table_rebuilt_from_episodes():
    """Episodes built from the published counts give back the published table."""
    counts = {  # quarter: (episodes, offered, accepted, declined, within)
        1: (351, 351, 291, 7, 53), 2: (252, 252, 191, 15, 60),
        3: (270, 269, 193, 19, 80), 4: (293, 289, 227, 16, 91),
    }
    starts = {1: "2023-04-03", 2: "2023-07-03", 3: "2023-10-02", 4: "2024-01-03"}
    episodes, n = [], 0
    for q, (total, offered, accepted, declined, within) in counts.items():
        for i in range(total):
            at = utc(starts[q] + " 09:00") + timedelta(minutes=i)
            found = at + timedelta(hours=3)
            if i < accepted:
                outcome, held = "accepted", found + timedelta(hours=24 if i < within else 100)
            elif i < accepted + declined:
                outcome, held = "declined", None
            else:
                outcome, held = ("not_completed" if i < offered else None), None
            episodes.append(EpisodeFacts(
                child_key=f"child-{n % 323}", in_care=False, reported_missing_at=at,
                found_at=found, offered_at=found if i < offered else None,
                outcome=outcome, held_at=held,  # type: ignore[arg-type]
            ))
            n += 1
    assert quarterly_table(episodes, 2023).as_rows() == [
        ["No. Missing Children", "323", "252", "270", "293", "323"],
        ["No. Missing Episodes", "351", "252", "270", "293", "1166"],
        ["No. RHC Offered", "351", "252", "269", "289", "1161"],
        ["RHC Accepted", "291", "191", "193", "227", "902"],
        ["% RHC Accepted", "82.9%", "75.8%", "71.7%", "78.5%", "77.7%"],
        ["RHC Declined", "7", "15", "19", "16", "57"],
        ["RHC Within Timescale", "53", "60", "80", "91", "284"],
        ["% Within Timescale", "18.2%", "31.4%", "41.5%", "40.1%", "31.5%"],
    ]


def test_csv_and_text_renderings():
    table = quarterly_table(EPISODES, 2023, "in-care")
    rows = list(csv.reader(io.StringIO(to_csv(table))))
    assert rows[0] == ["measure", "Q1", "Q2", "Q3", "Q4", "Total"]
    assert rows[1:] == EXPECTED_IN_CARE
    lines = to_text(table).splitlines()
    assert len(lines) == 9
    assert lines[0].split() == ["Q1", "Q2", "Q3", "Q4", "Total"]
    assert lines[5].split()[-1] == "60.0%"
    assert len({len(line) for line in lines[1:]}) == 1  # figures right-aligned to one edge


def conversation(held: str, codes: tuple[str, ...], child: str = "A") -> EpisodeFacts:
    at = utc(held)
    return EpisodeFacts(child, True, at - timedelta(days=2), at - timedelta(days=1),
                        outcome="accepted", held_at=at, risk_factors=codes)


def test_risk_factor_counts():
    episodes = [
        conversation("2024-03-31 23:30", ("drug_misuse", "drug_misuse", "bullied")),  # 1 April
        conversation("2024-04-10 10:00", ("drug_misuse", "mental_health")),
        conversation("2024-04-30 22:30", ("mental_health", "own_code")),  # 23:30 BST 30 April
        conversation("2024-04-30 23:30", ("drug_misuse",)),  # 00:30 BST 1 May: outside
        conversation("2024-03-31 22:30", ("bullied",)),  # 23:30 GMT 31 March: outside
        EpisodeFacts("B", False, utc("2024-04-02 10:00"), risk_factors=("self_harm",)),  # not held
    ]
    counts = risk_factor_counts(episodes, date(2024, 4, 1), date(2024, 4, 30),
                                extra_codes={"own_code": "A code of our own"})
    assert counts == [
        ("drug_misuse", "Risk of drug misuse", 2),
        ("mental_health", "Mental health concerns", 2),
        ("bullied", "Being bullied", 1),
        ("own_code", "A code of our own", 1),
    ]
    assert risk_factor_counts(episodes, date(2024, 4, 1), date(2024, 4, 30))[-1] == (
        "own_code", "own_code", 1)  # a retired code still shows, under its code
    assert risk_factors_to_csv(counts).splitlines()[:2] == [
        "code,label,count", "drug_misuse,Risk of drug misuse,2"]
    own = risk_factor_counts(episodes, date(2024, 4, 1), date(2024, 4, 30),
                             extra_codes={"own_code": "=1+1"})
    assert risk_factors_to_csv(own).splitlines()[-1] == "own_code,'=1+1,1"
    text = risk_factors_to_text(counts).splitlines()
    assert text[0].startswith("Risk factor") and text[1].endswith(" 2")
    assert risk_factor_counts([], date(2024, 4, 1), date(2024, 4, 30)) == []


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2014, 6, 2), "Under 10"), (date(2014, 6, 1), "10–11"), (date(2012, 6, 2), "10–11"),
        (date(2012, 6, 1), "12–13"), (date(2010, 6, 1), "14–15"), (date(2008, 6, 1), "16–17"),
        (date(2006, 6, 2), "16–17"), (date(2006, 6, 1), "18 and over"), (None, "Unknown"),
    ],
)
def test_age_band_on_the_day(born, band):
    assert age_band(born, date(2024, 6, 1)) == band


def test_breakdown():
    def ep(child, reported, in_care, **kw):
        return EpisodeFacts(child, in_care, utc(reported), **kw)

    episodes = [
        ep("K1", "2024-04-02 10:00", False, date_of_birth=date(2009, 1, 1), gender="female",
           ethnicity="White British"),
        ep("K1", "2024-05-02 10:00", True),  # came into care: counted in care; details kept
        ep("K2", "2024-04-05 10:00", True, date_of_birth=date(2013, 1, 1), gender="male",
           ethnicity="Black Caribbean"),
        ep("K2", "2024-04-20 10:00", False),  # went home
        ep("K3", "2024-03-31 23:30", False, gender="not_recorded"),  # 1 April BST: in
        ep("K4", "2024-03-31 22:30", True, gender="male"),  # 31 March: out
        ep("K5", "2024-06-01 10:00", False, gender="non-binary", ethnicity="White British"),
    ]
    result = breakdown(episodes, date(2024, 4, 1), date(2024, 6, 30), as_of=date(2024, 6, 30))
    assert result == {
        "children": 4,
        "age": [("Under 10", 0), ("10–11", 1), ("12–13", 0), ("14–15", 1), ("16–17", 0),
                ("18 and over", 0), ("Unknown", 2)],
        "gender": [("Female", 1), ("Male", 1), ("Other", 0), ("Not recorded", 1),
                   ("non-binary", 1), ("Unknown", 0)],
        "ethnicity": [("White British", 2), ("Black Caribbean", 1), ("Unknown", 1)],
        "care_status": [("In care", 1), ("At home", 3)],
    }


instants = st.datetimes(min_value=datetime(2022, 1, 1), max_value=datetime(2025, 12, 31),
                        timezones=st.just(UTC))
facts = st.builds(
    EpisodeFacts,
    child_key=st.sampled_from(["a", "b", "c", "d", "e"]),
    in_care=st.booleans(),
    reported_missing_at=instants,
    found_at=st.none() | instants,
    offered_at=st.none() | instants,
    outcome=st.sampled_from([None, "accepted", "declined", "not_completed"]),
    held_at=st.none() | instants,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(facts, max_size=40), st.sampled_from([2022, 2023, 2024]))
def test_table_invariants(episodes, year):
    tables = {c: quarterly_table(episodes, year, c) for c in ("all", "in-care")}
    for table in tables.values():
        v = {r.measure: r.values for r in table.rows}
        for col in range(5):
            assert v["RHC Within Timescale"][col] <= v["RHC Accepted"][col]
            assert v["RHC Accepted"][col] + v["RHC Declined"][col] <= v["No. RHC Offered"][col]
            assert v["No. RHC Offered"][col] <= v["No. Missing Episodes"][col]
            assert v["No. Missing Children"][col] <= v["No. Missing Episodes"][col]
        assert v["No. Missing Episodes"][4] == sum(v["No. Missing Episodes"][:4])
        assert max(v["No. Missing Children"][:4]) <= v["No. Missing Children"][4]
        assert v["No. Missing Children"][4] <= sum(v["No. Missing Children"][:4])
    for a, c in zip(tables["all"].rows, tables["in-care"].rows, strict=True):
        if "%" not in a.measure:
            assert all(x >= y for x, y in zip(a.values, c.values, strict=True))
