"""The standardised dataset: one CSV row per missing episode and its conversation.

London's committee asked every service for one standard dataset; this package reads it (to
import episodes) and writes the pseudonymised version shared with partners. Pure: bytes in,
typed rows or plain-English errors out.

* ``columns.py``: the columns, their allowed values and limits, and the typed row.
* ``cells.py``: one cell and one row checked (dates, times, choices, risk-factor codes).
* ``reading.py``: :func:`parse_dataset`, the whole file (header, blank lines, duplicates),
  and :class:`DatasetFile`, the same read as a stream, for an import in two passes.
* ``export.py``: :func:`export_dataset`, the partners' version.

The columns (``COLUMNS`` for the import, ``EXPORT_COLUMNS`` for the export):

============================  ==========================================  ==================
column                        import                                      export
============================  ==========================================  ==================
``child_ref``                 required, at most 100 characters            keyed pseudonym
``child_name``                optional, at most 200 characters            dropped
``date_of_birth``             optional, YYYY-MM-DD, not in the future     ``age_band``
``gender``                    female, male, other, not_recorded           as imported
``ethnicity``                 a 2021 census category, Not known, Refused  rare ones withheld
``in_care``                   required, yes or no                         yes or no
``episode_ref``               required, at most 100, once in the file     keyed pseudonym
``reported_missing_at``       required date and time                      London time
``found_at``                  date and time, not before reported          London time
``police_risk``               low, medium, high                           as imported
``rhc_offered_at``            date and time, not before reported          London time
``rhc_outcome``               accepted, declined, not_completed           as imported
``rhc_held_at``               date and time; needs accepted and found     London time
``risk_factors``              codes separated by ``;``                    codes, ``;``
``placing_authority``         optional column, at most 100 characters     as imported
``host_area``                 optional column, at most 100 characters     as imported
``late_reason``               optional column, a code of the org's list   as imported
``holder_role``               optional column, a holder role code         as imported
``held_by_independent``       optional column, yes or no; needs held      yes or no
============================  ==========================================  ==================

The last five (``OPTIONAL_COLUMNS``) may be left out of a file, as older files do; an empty
cell in them changes nothing already recorded.

No date or time may be in the future, or before 1900.

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

from rhc_app.domain.dataset.cells import _DATE, _DATETIME
from rhc_app.domain.dataset.columns import (
    COLUMNS,
    EXPORT_COLUMNS,
    GENDERS,
    MAX_ERRORS,
    MAX_TEXT,
    MIN_YEAR,
    OPTIONAL_COLUMNS,
    OUTCOMES,
    POLICE_RISKS,
    DatasetRow,
    ParseResult,
    RowError,
)
from rhc_app.domain.dataset.export import export_dataset
from rhc_app.domain.dataset.reading import DatasetFile, parse_dataset

# _DATE and _DATETIME are here for the regex tests and the worst-case benchmark, which feed
# them their worst input.
__all__ = ["COLUMNS", "EXPORT_COLUMNS", "GENDERS", "MAX_ERRORS", "MAX_TEXT", "MIN_YEAR",
           "OPTIONAL_COLUMNS", "OUTCOMES", "POLICE_RISKS", "_DATE", "_DATETIME", "DatasetFile",
           "DatasetRow", "ParseResult", "RowError", "export_dataset", "parse_dataset"]
