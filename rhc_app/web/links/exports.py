"""What leaves the organisation from the connections (issue 16): the panel pack (a PDF of the
period's connections and hotspots for the exploitation panel) and the police intelligence
export of one connection (recorded by a POST, then downloaded as CSV or PDF by a GET that is
audited as a read). The sharing rules are services/sharing.py's; files carry dates only in
their names, never a name."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for

from rhc_app.documents.report_pdf import ReportTable, build_report_pdf
from rhc_app.domain import vocabulary
from rhc_app.domain.figures import csv_text
from rhc_app.domain.uk_time import format_date, today_in_london
from rhc_app.services import connections, sharing
from rhc_app.store.db import utcnow
from rhc_app.web.common import audit_event, user
from rhc_app.web.extensions import db
from rhc_app.web.links.views import TOKEN, PeriodForm, _bounds, _period, _period_args, bp

CSV_HEADER = ("connection", "matched_by", "person_or_place", "name", "description_or_area",
              "mentioned_on", "case_reference")
NO_CONSENT_NOTE = "{n} mention{s} left out: the child did not consent to sharing with police"


def _download(body: bytes | str, mimetype: str, name: str) -> Any:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def _asked() -> tuple[date, date]:
    period = _period(PeriodForm(request.args))
    if period is None:
        abort(404)
    return period


def _audit_opened(shared: list[sharing.Shared], what: str) -> None:
    """Each conversation whose entries were opened, under the user's name."""
    for conversation_id in dict.fromkeys(c for sh in shared for c in sh.conversations):
        audit_event(what, record_type="conversation", record_id=conversation_id)


def no_consent_note(n: int) -> str:
    return NO_CONSENT_NOTE.format(n=n, s="" if n == 1 else "s")


def _how(conn: connections.Connection) -> str:
    return ", ".join(vocabulary.LINK_MATCHES[h] for h in conn.how)


def _entry_rows(number: int, sh: sharing.Shared) -> list[list[str]]:
    return [[f"Connection {number}", _how(sh.conn),
             vocabulary.LINK_ENTRY_KINDS[e.entry_kind], e.name, e.detail,
             format_date(e.mentioned_at), e.case_reference] for e in sh.entries]


def _connection_table(number: int, sh: sharing.Shared) -> ReportTable:
    rows = [r[2:] for r in _entry_rows(number, sh)]
    if sh.no_consent:
        rows.append([no_consent_note(sh.no_consent), "", "", "", ""])
    heading = f"Connection {number}: {sh.conn.children} children. {_how(sh.conn)}"
    return ReportTable(heading, ["Person or place", "Name", "Description or area",
                                 "Mentioned", "Case reference"], rows or [["", "", "", "", ""]])


@bp.get("/connections/panel-pack")
def panel_pack() -> Any:
    period = _asked()
    org = user().organisation
    start, end = _bounds(period)
    shared = sharing.panel_connections(db(), org.id, start, end)
    spots = sharing.panel_hotspots(db(), org.id, start, end)
    _audit_opened(shared, "panel_pack_opened")
    for conversation_id in dict.fromkeys(h.conversation_id for h in spots if h.label):
        audit_event("hotspots_viewed", record_type="conversation", record_id=conversation_id)
    audit_event("panel_pack", detail=f"{period[0]} to {period[1]}: {len(shared)} connections, "
                f"{len(spots)} hotspots")
    db().commit()
    tables = [_connection_table(n, sh) for n, sh in enumerate(shared, start=1)]
    tables.append(ReportTable("Hotspots: the places named most", [
        "Place", "Counted by", "Children", "Episodes", "Children in the period before"],
        [[h.label or "Withheld: a child asked for it not to be shared",
          vocabulary.HOTSPOT_KINDS[h.token_kind], str(h.children), str(h.episodes),
          str(h.children_before)] for h in spots] or [["No hotspots", "", "", "", ""]]))
    title = (f"Exploitation panel pack: {format_date(period[0])} to {format_date(period[1])}")
    notes = ["Children are named by case reference only. People and places a child asked not "
             "to be shared are left out. Mentions from conversations where the child did not "
             "consent to sharing with police are counted only."]
    pdf = build_report_pdf(title, org.name, tables, utcnow(), notes)
    return _download(pdf, "application/pdf",
                     f"rhc-panel-pack-{period[0]}-to-{period[1]}.pdf")


def _connection(token: str, period: tuple[date, date]) -> connections.Connection:
    if not TOKEN.fullmatch(token):
        abort(404)
    conn = connections.connection(db(), user().organisation_id, token, *_bounds(period))
    if conn is None:
        abort(404)
    return conn


@bp.post("/connections/<token>/police-intelligence")
def submit_police_intelligence(token: str) -> Any:
    period = _asked()
    shared = sharing.shareable(db(), _connection(token, period))
    done = sharing.record_submission(db(), user(), shared, today_in_london())
    _audit_opened([shared], "police_intelligence_submitted")
    audit_event("police_intelligence", detail=f"connection {token[:12]}: {len(done)} "
                f"conversations, {period[0]} to {period[1]}")
    db().commit()
    flash(f"Recorded as police intelligence on {len(done)} conversation"
          f"{'' if len(done) == 1 else 's'}. Download the file below.", "success")
    return redirect(url_for("links.connection", token=token, **_period_args(period)))


@bp.get("/connections/<token>/police-intelligence")
def police_intelligence(token: str) -> Any:
    fmt = request.args.get("format", "")
    if fmt not in ("csv", "pdf"):
        abort(404)
    period = _asked()
    shared = sharing.shareable(db(), _connection(token, period))
    _audit_opened([shared], "police_intelligence_downloaded")
    db().commit()
    name = f"rhc-police-intelligence-{period[0]}-to-{period[1]}.{fmt}"
    rows = _entry_rows(1, shared)
    if fmt == "csv":
        return _download(csv_text(CSV_HEADER, rows), "text/csv", name)
    notes = ["Children are named by case reference only. People and places a child asked not "
             "to be shared are left out."]
    if shared.no_consent:
        notes.append(no_consent_note(shared.no_consent) + ".")
    kinds = " or ".join(vocabulary.LINK_ENTRY_KINDS[k].lower() for k in shared.conn.entry_kinds)
    pdf = build_report_pdf(f"Police intelligence: a {kinds} named for {shared.conn.children} "
                           "children", user().organisation.name,
                           [_connection_table(1, shared)], utcnow(), notes)
    return _download(pdf, "application/pdf", name)
