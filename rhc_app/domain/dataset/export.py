"""The partner export: pseudonymised references, an age band instead of name and birth date,
London times with their offset, every cell safe for a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime

from rhc_app.domain import disclosure
from rhc_app.domain import ethnicity as ethnic_groups
from rhc_app.domain.dataset.columns import EXPORT_COLUMNS, DatasetRow
from rhc_app.domain.figures import age_band, csv_safe
from rhc_app.domain.uk_time import format_csv_time


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
            ";".join(r.risk_factors), r.placing_authority, r.host_area, r.late_reason,
            r.holder_role, r.held_by_independent,
        ))
    return out.getvalue()
