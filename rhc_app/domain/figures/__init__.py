"""The performance figures every service reports (the Gateshead tables), as pure functions.

Plain data in (:class:`EpisodeFacts`, built by the caller from whatever it stores), plain data
out. Nothing here knows about Flask or the database, so every cell of every table can be
tested directly with episodes whose answers are known.

The package: ``quarterly`` (the episode facts and the quarterly table), ``breakdowns`` (age,
gender, ethnicity, care status and risk factors) and ``tables`` (CSV and text output, with
cells a spreadsheet will not run). Import from here; the names below are the public ones.

Two rules shape the whole package:

* **Periods are counted on the Europe/London calendar.** Services count "the quarter in which
  the child was reported missing" by the date on the police log and the wall calendar, not by
  UTC. A child reported at 00:30 on 1 April BST (23:30 UTC on 31 March) belongs to Q1 of the
  new year, exactly as the committee report would count it.
* **The 72-hour clock runs on real elapsed time**, by the one rule in
  :mod:`rhc_app.domain.uk_time` that the lists use too. Naive times here are London wall
  clock (as imported files give them).
"""

from rhc_app.domain.figures.breakdowns import (
    AGE_BANDS,
    GENDER_LABELS,
    UNKNOWN,
    Breakdown,
    age_band,
    breakdown,
    risk_factor_counts,
    risk_factors_to_csv,
    risk_factors_to_text,
)
from rhc_app.domain.figures.quarterly import (
    COLUMNS,
    COUNT_KEYS,
    MEASURES,
    Cohort,
    EpisodeFacts,
    Outcome,
    QuarterlyRow,
    QuarterlyTable,
    financial_quarter,
    financial_year_label,
    format_percent,
    london_date,
    offered_within_timescale,
    quarterly_table,
    table_from_counts,
    to_csv,
    to_text,
    within_timescale,
)
from rhc_app.domain.figures.tables import csv_safe, csv_text, text_table
from rhc_app.domain.figures.timeliness import (
    MEASURE_FIGURES,
    OFFERED_MEASURES,
    month_dates,
    quarter_dates,
    with_offered_rows,
)

__all__ = [
    "AGE_BANDS", "COLUMNS", "COUNT_KEYS", "GENDER_LABELS", "MEASURES", "UNKNOWN", "Breakdown",
    "Cohort", "EpisodeFacts", "Outcome", "QuarterlyRow", "QuarterlyTable", "age_band",
    "breakdown", "csv_safe", "csv_text", "financial_quarter", "financial_year_label",
    "format_percent", "london_date", "quarterly_table", "risk_factor_counts",
    "risk_factors_to_csv", "risk_factors_to_text", "table_from_counts", "text_table", "to_csv",
    "to_text", "within_timescale", "MEASURE_FIGURES", "OFFERED_MEASURES", "month_dates",
    "offered_within_timescale", "quarter_dates", "with_offered_rows",
]
