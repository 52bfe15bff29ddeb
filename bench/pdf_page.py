"""`python -m bench.pdf_page`: the CPU cost of one police PDF (full record), in-process.

A full record as bench/seed.py writes one (every area filled, three people, three places,
quick notes, risk factors, actions, a child summary, contact attempts), built N times by the
police PDF builder; beside it a minimal 3-page reportlab platypus document, the floor any
PDF of that length costs. Issue 14's target: the police PDF in 2x the minimal document or
less (about 20 ms on the bench machine). CPU time, as other work shares the machine.

    python -m bench.pdf_page [--builds 50] [--profile]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from rhc_app.documents.police_pdf import build_police_pdf
from rhc_app.documents.records import (
    AttemptInfo,
    ChildInfo,
    ConversationRecord,
    EpisodeInfo,
    OrganisationInfo,
    PersonInfo,
    SignOffInfo,
)
from rhc_app.domain.risk_factors import codes_for
from rhc_app.domain.vocabulary import ACTIONS
from rhc_app.services.records import canvas_parts

from .seed import SENTENCES, Writer


def record(full: bool, seed_value: int = 2026) -> ConversationRecord:
    """A conversation as seed.py writes one: ``full``, the fullest it makes (every area,
    three people, three places); else one in progress, as each load-bench client holds."""
    rng = random.Random(seed_value)
    writer = Writer(rng)
    found = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)
    held = found + timedelta(hours=30)
    codes = sorted(codes_for())[:3]

    def canvas() -> dict[str, Any]:
        return writer.canvas("Robin", held, "yes", codes, sorted(ACTIONS)[:2],
                             partial=not full)

    drawn = canvas()
    while full and (len(drawn["people"]) < 3 or len(drawn["places"]) < 3
                    or not all(drawn["areas"].values())):
        drawn = canvas()
    parts = canvas_parts(drawn)
    d = parts.details
    return ConversationRecord(
        organisation=OrganisationInfo("Benchshire Children's Services"),
        child=ChildInfo("Robin Benchchild", case_reference="BENCH-1"),
        episode=EpisodeInfo(reported_missing_at=found - timedelta(hours=20), found_at=found,
                            police_risk="medium", police_reference="NP-2026-11-0001",
                            missing_from="Home", found_where="The bus station"),
        produced_at=held + timedelta(days=2), offered_at=found + timedelta(hours=4),
        outcome="accepted", held_at=held, method=d["method"], location=d["location"],
        present=d["present"], seen_alone=True, consent_to_share=True,
        independent_offered=True, language="English", interpreter=False,
        sees_self_missing=d["sees_self_missing"], how_got_home=d["how_got_home"],
        helplines_given=d["helplines_given"], child_words=writer.text("Robin", 200, 1200, 500),
        attempts=[AttemptInfo(found + timedelta(hours=2), "phone", "No answer, left a message"),
                  AttemptInfo(found + timedelta(hours=4), "via_carer",
                              "Spoke to carer, visit arranged")],
        areas=parts.areas, people=parts.people, places=parts.places,
        risk_factors=parts.risk_factors, actions=parts.actions,
        child_summary=writer.text("Robin", 300, 1800, 700), worker_name="Worker Bench",
        worker_role="Social worker", produced_by=PersonInfo("Worker Bench", "Social worker"),
        signoff=SignOffInfo(status="completed", completed_at=held + timedelta(days=1)))


#: A page of plain prose in reportlab's sample body style (Helvetica, no embedded font).
_PAGE = [" ".join(SENTENCES[i:i + 5]) for i in range(0, 40, 5)]


def minimal_document() -> bytes:
    """Three pages of plain paragraphs: the floor any PDF of that length costs."""
    buffer = BytesIO()
    style = getSampleStyleSheet()["BodyText"]
    story: list[Any] = []
    for _page in range(3):
        story += [Paragraph(text, style) for text in _PAGE] + [PageBreak()]
    SimpleDocTemplate(buffer, pagesize=A4).build(story[:-1])
    return buffer.getvalue()


def cpu_ms(build: Callable[[], bytes], builds: int) -> float:
    """Median CPU milliseconds of one build (after one untimed, which loads the fonts)."""
    build()
    times = []
    for _ in range(builds):
        c0 = time.process_time()
        build()
        times.append((time.process_time() - c0) * 1000)
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="pyinstrument the police PDF")
    args = parser.parse_args()
    minimal = cpu_ms(minimal_document, args.builds)
    out: dict[str, Any] = {"builds": args.builds, "minimal_3_page_cpu_ms": round(minimal, 1)}
    for name, full in (("in_progress", False), ("full", True)):
        one = record(full)
        if args.profile:
            from pyinstrument import Profiler

            with Profiler(interval=0.001) as profiler:
                for _ in range(args.builds):
                    build_police_pdf(one)
            profiler.print(show_all=False)
        pdf = build_police_pdf(one)
        police = cpu_ms(lambda one=one: build_police_pdf(one), args.builds)
        out[name] = {"pages": len(PdfReader(BytesIO(pdf)).pages), "bytes": len(pdf),
                     "cpu_ms": round(police, 1), "x_minimal": round(police / minimal, 2)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
