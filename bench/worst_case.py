"""The worst input the forms accept, built into each PDF and read by each check, timed.

    python -m bench.worst_case        # runs alone in a few seconds (no seeding, no server)

Also run by ``bench.run`` after the engines ("Worst-case input"). Every canvas here goes
through the canvas form's own parser first, so it is one a worker could save; every
summary passes the summary form's limits. A build over its budget is marked "over".
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rhc_app.documents.child_pdf import build_child_pdf
from rhc_app.documents.pdf_blocks import CELL_MAX_LINES
from rhc_app.documents.police_pdf import build_police_pdf
from rhc_app.documents.records import ChildInfo, ConversationRecord, EpisodeInfo, OrganisationInfo
from rhc_app.domain import dataset
from rhc_app.domain.readability import analyse
from rhc_app.domain.risk_factors import codes_for
from rhc_app.domain.vocabulary import ACTIONS, AREAS
from rhc_app.services.records import canvas_parts
from rhc_app.web.admin.forms import UserForm
from rhc_app.web.conversations.canvas_form import MAX_RECORD_CHARS, MAX_RECORD_LINES, parse
from rhc_app.web.documents.forms import SUMMARY_MAX_CHARS, SUMMARY_MAX_LINES

PDF_BUDGET_S = 2.0  # the issue: the worst input builds in under 2 s
CHECK_BUDGET_S = 0.25  # a readability check or a single regex on the worst text
PROSE = "She said she went to the park with friends after school and stayed late. "
#: Arabic prose with a number and a Latin name: each printed line is ordered for drawing
#: (pdf_bidi) and each word shaped, so it is the costliest text per character.
RTL_PROSE = "قالت إنها ذهبت إلى الحديقة مع Zoë بعد المدرسة وبقيت حتى 9 مساء. "
AREA_KEYS = tuple(AREAS)


def fill(unit: str, chars: int) -> str:
    """``unit`` repeated to exactly ``chars`` characters."""
    return (unit * (chars // len(unit) + 1))[:chars]


def _areas(texts: list[str]) -> dict[str, str]:
    return {f"area-{key}": texts[i % len(texts)] for i, key in enumerate(AREA_KEYS)}


def _rows(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
    form = {f"{prefix}-count": str(len(rows))}
    for i, row in enumerate(rows):
        form.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return form


def _grid_cell(width_mm: float) -> str:
    """A cell value as long as the police PDF still puts in a table cell of that width."""
    per_line = int((width_mm - 2.2) / 1.8)
    return fill("abcd ", per_line * CELL_MAX_LINES)


def canvas_forms() -> dict[str, dict[str, str]]:
    """Posted canvas forms, each at the whole record's limits, each worst in its own way."""
    per_area = MAX_RECORD_CHARS // len(AREA_KEYS)
    lines_per_area = MAX_RECORD_LINES // len(AREA_KEYS)
    short = "a\n" * lines_per_area
    person = {"name": _grid_cell(32), "description": _grid_cell(44),
              "approximate_age": _grid_cell(14), "relationship": _grid_cell(36),
              "concern": _grid_cell(44)}
    place = {"name": _grid_cell(44), "area": _grid_cell(40), "slept_there": "yes",
             "concern": _grid_cell(66)}
    long_concern = fill(PROSE, 4_900)
    return {
        "short lines and prose": _areas([short + fill(PROSE, per_area - len(short))]),
        "lines that wrap once": _areas(["\n".join([fill(PROSE, 99)] * (per_area // 100))]),
        "paragraphs of one letter": _areas(["a\n\n" * (lines_per_area // 2)
                                            + fill(PROSE, per_area - 3 * lines_per_area // 2)]),
        "one long word": _areas([fill("x", per_area)]),
        "markup characters": _areas([fill("<&>\t", per_area)]),
        "alternating scripts": _areas([fill("a\u6f22", per_area)]),
        "right-to-left prose": _areas([fill(RTL_PROSE, per_area)]),
        "people in the grid": _rows("person", [person] * (MAX_RECORD_CHARS
                                                          // sum(map(len, person.values())))),
        "places in the grid": _rows("place", [place] * (MAX_RECORD_CHARS
                                                        // sum(map(len, place.values())))),
        "people with long concerns": _rows("person", [
            {"name": "Someone", "concern": long_concern}] * (MAX_RECORD_CHARS // 4_907)),
        "quick notes": {"note-count": "200", **{f"note-{i}-text": fill(PROSE, 495) for i in
                                                range(200)},
                        **{f"note-{i}-area": AREA_KEYS[i % 10] for i in range(0, 200, 2)}},
    }


def summaries() -> dict[str, str]:
    lines = "a\n" * (SUMMARY_MAX_LINES - 1)
    return {
        "short lines and prose": lines + fill(PROSE, SUMMARY_MAX_CHARS - len(lines)),
        "bullets": fill("- a\n", 4 * (SUMMARY_MAX_LINES - 1)) + fill(
            PROSE, SUMMARY_MAX_CHARS - 4 * (SUMMARY_MAX_LINES - 1)),
        "alternating scripts": fill("a\u6f22", SUMMARY_MAX_CHARS),
        "right-to-left prose": fill(RTL_PROSE, SUMMARY_MAX_CHARS),
        "one long word": fill("x", SUMMARY_MAX_CHARS),
    }


def check_texts() -> dict[str, str]:
    """Texts for the readability check (the summary form's 20,000 characters)."""
    n = SUMMARY_MAX_CHARS
    return {
        "19,999 ! then a letter": "!" * (n - 1) + "x",
        "19,999 full stops then a letter": "." * (n - 1) + "a",
        "ellipses then a letter": "\u2026" * (n - 1) + "a",
        "stops and closing quotes": fill("!'", n - 1) + "x",
        "hyphenated word": fill("a-", n),
        "apostrophes": fill("a'", n),
        "section and spaces": "section" + " " * (n - 8) + "x",
        "looked and hyphens": "looked" + "-" * (n - 7) + "x",
        "jargon everywhere": fill("CSE s.47 looked after child ", n),
        "one long word": fill("a", n),
        "line breaks": "\n" * n,
    }


def regex_inputs() -> list[tuple[str, Callable[[str], Any], str]]:
    """Every other regex on user text, with its worst input at the request size limit."""
    email = next(v for v in UserForm.email.kwargs["validators"] if hasattr(v, "regex"))
    big = 1_000_000
    return [
        ("email format, a@ and dots", email.regex.match, "a@" + "." * big + "@"),
        ("dataset date-time, digits", dataset._DATETIME.fullmatch, "2024-01-01 10:00:00."
         + "1" * big + "x"),
        ("dataset date, digits", dataset._DATE.fullmatch, "1" * big),
        ("blank-line split, a newline and spaces", re.compile(r"\n\s*\n").split,
         "\n" + " " * big + "x"),
    ]


def record(canvas: dict[str, Any], summary: str) -> ConversationRecord:
    """The record the police PDF view would build from this canvas (as documents.mapping)."""
    parts = canvas_parts(canvas)
    return ConversationRecord(
        organisation=OrganisationInfo("Benchshire Children's Services"),
        child=ChildInfo("Robin Benchchild", case_reference="BENCH-1"),
        episode=EpisodeInfo(), produced_at=datetime.now(UTC), areas=parts.areas,
        people=parts.people, places=parts.places, risk_factors=parts.risk_factors,
        actions=parts.actions, child_summary=summary, worker_name="Worker Bench")


def accepted(form: dict[str, str]) -> dict[str, Any]:
    """The canvas the form parser makes of ``form`` (raises if the form would refuse it)."""
    return parse(form, set(codes_for()), set(ACTIONS))


def _timed(what: str, case: str, budget: float, fn: Callable[[], Any]) -> dict[str, Any]:
    """Wall and CPU time of one call; the budget is judged on CPU time, which other work on
    the machine inflates far less (the load average is reported beside it)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"what": what, "case": case, "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
            "budget_s": budget, "within": cpu < budget,
            "bytes": len(out) if isinstance(out, bytes) else None}


def run() -> list[dict[str, Any]]:
    build_police_pdf(record(accepted({}), ""))  # fonts and caches: not the input's cost
    analyse("Warm up the word lists.")
    worst_summary = summaries()["short lines and prose"]
    police = {name: record(accepted(form), worst_summary) for name, form in canvas_forms().items()}
    child = {name: record(accepted({}), text) for name, text in summaries().items()}
    rows = [_timed("police PDF", name, PDF_BUDGET_S, lambda r=rec: build_police_pdf(r))
            for name, rec in police.items()]
    rows += [_timed("child PDF", name, PDF_BUDGET_S, lambda r=rec: build_child_pdf(r))
             for name, rec in child.items()]
    rows += [_timed("readability check", name, CHECK_BUDGET_S, lambda t=text: analyse(t))
             for name, text in check_texts().items()]
    rows += [_timed("regex", name, CHECK_BUDGET_S, lambda f=fn, t=text: f(t))
             for name, fn, text in regex_inputs()]
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = ["## Worst-case input (one process, no server)", "",
             f"Every canvas is at the whole record's limits ({MAX_RECORD_CHARS:,} characters, "
             f"{MAX_RECORD_LINES:,} lines) and accepted by the canvas form; the police PDFs "
             f"also carry the worst summary. Budget (CPU time): {PDF_BUDGET_S:g} s a PDF, "
             f"{CHECK_BUDGET_S:g} s a check. Load average at the end: {load}.", "",
             "| what | input | wall s | CPU s | budget | PDF size |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        verdict = "within" if r["within"] else "**over**"
        size = f"{r['bytes'] / 1024:.0f} KB" if r["bytes"] else ""
        lines.append(f"| {r['what']} | {r['case']} | {r['seconds']:.3f} | "
                     f"{r['cpu_seconds']:.3f} | {verdict} {r['budget_s']:g} s | {size} |")
    return "\n".join(lines)


def main() -> int:
    rows = run()
    print(markdown(rows))
    return 0 if all(r["within"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
