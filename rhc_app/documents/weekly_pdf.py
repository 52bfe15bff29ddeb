"""The weekly missing meeting's paper: each section as a table of the committee-paper PDF
(OFFICIAL-SENSITIVE on every page, page X of Y). Plain data in, bytes out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rhc_app.documents.report_pdf import ReportTable, build_report_pdf
from rhc_app.domain.weekly import Section


def section_table(section: Section) -> ReportTable:
    rows = [list(r.cells) for r in section.rows]
    if not rows:  # a row as wide as the header: the table keeps its shape
        rows = [[section.empty, *[""] * (len(section.header) - 1)]]
    count = f" ({len(section.rows)})" if section.key != "changes" else ""
    return ReportTable(f"{section.title}{count}", list(section.header), rows)


def build_weekly_pdf(organisation: str, week_label: str, sections: Sequence[Section],
                     produced_at: datetime) -> bytes:
    notes = [f"{s.title}: {s.note}" for s in sections if s.note]
    return build_report_pdf(f"Weekly missing meeting: {week_label}", organisation,
                            [section_table(s) for s in sections], produced_at, notes)
