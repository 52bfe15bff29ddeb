"""Managers: the quarterly figures and the risk-factor report (pages, CSV and committee PDF),
and the dataset upload. The team page and its sections are in team.py."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from rhc_app.documents.report_pdf import ReportTable, build_report_pdf
from rhc_app.domain import charts, disclosure, figures
from rhc_app.domain.uk_time import today_in_london
from rhc_app.security import audit
from rhc_app.services import datasets, field_figures, kept_figures
from rhc_app.store.db import utcnow
from rhc_app.web.common import ring, user
from rhc_app.web.extensions import db
from rhc_app.web.loaders import require_role
from rhc_app.web.reports.forms import UploadForm

bp = Blueprint("reports", __name__)


@bp.before_request
def managers_only() -> None:
    require_role(user(), "manager")


def _current_fy(today: date) -> int:
    return today.year if today.month >= 4 else today.year - 1


def _format() -> str:
    """The download asked for: the page, csv or pdf. Anything else is refused before it is
    audited (a query value is never written to the audit log as typed)."""
    fmt = request.args.get("format") or "page"
    if fmt not in ("page", "csv", "pdf"):
        abort(400)
    return fmt


def _year() -> int:
    raw = request.args.get("year", "")
    if not raw:
        return _current_fy(today_in_london())
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        abort(400)
    return int(raw)


def _tables(year: int, area: dict[str, Any], offered: bool = False
            ) -> dict[str, dict[int, figures.QuarterlyTable]]:
    org = user().organisation
    by_year = {y: kept_figures.quarterly_tables(db(), org, y, area["placing"], area["host"],
                                                offered=offered)
               for y in (year, year - 1)}
    return {cohort: {y: by_year[y][cohort] for y in by_year} for cohort in ("all", "in-care")}


def _download(body: bytes | str, mimetype: str, name: str) -> Response:
    # Never cached: the app's response hook sends no-store for every page but static files.
    data = body.encode("utf-8") if isinstance(body, str) else body
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/reports/quarterly")
def quarterly() -> Any:
    year = _year()
    fmt = _format()
    cohort = request.args.get("cohort", "all")
    if fmt == "csv" and cohort not in ("all", "in-care"):
        abort(400)
    area = _area()
    # The CSV is Gateshead's table as published; the page and the paper add offered in time.
    tables = _tables(year, area, offered=fmt != "csv")
    org = user().organisation
    audit.record(db(), "report_quarterly", user_id=user().id, org_id=org.id,
                 detail=(f"{year} {fmt} {cohort}" if fmt == "csv" else f"{year} {fmt}")
                 + (" by council" if area["placing"] or area["host"] else ""))
    db().commit()
    label = figures.financial_year_label(year)
    # Downloads leave the team (committee papers): small counts suppressed; the page is exact.
    threshold = int(org.setting("small_count_threshold"))
    if fmt == "csv":
        return _download(disclosure.quarterly_csv(tables[cohort][year], threshold), "text/csv",
                         f"rhc-quarterly-{cohort}-{year}.csv")
    if fmt == "pdf":
        names = {"all": "All children", "in-care": "Children in care"}
        parts = [ReportTable(f"{names[c]}, {figures.financial_year_label(y)}",
                             ["Measure", *figures.COLUMNS],
                             disclosure.table_rows(tables[c][y], threshold))
                 for c in tables for y in (year, year - 1)]
        parts += field_figures.report_tables(
            kept_figures.panel(db(), org, year, area["placing"], area["host"]), label, threshold)
        pdf = build_report_pdf(f"Return home conversations: quarterly figures {label}",
                               org.name, parts, utcnow(),
                               ["Within timescale: accepted and held within 72 hours of the "
                                "time found. Offered within 72 hours: offered no more than 72 "
                                "hours after the time found, whatever the answer. An episode "
                                "counts in the quarter the child was reported missing.",
                                disclosure.note(threshold)])
        return _download(pdf, "application/pdf", f"rhc-quarterly-{year}.pdf")
    chart_list = []
    for measure in figures.MEASURES:
        series = [(figures.financial_year_label(y), tables["all"][y].quarters(measure))
                  for y in (year, year - 1)]
        chart_list.append(charts.bar_chart_svg(f"{measure}, all children",
                                               ["Q1", "Q2", "Q3", "Q4"], series,
                                               percent=measure.startswith("%")))
    return render_template("reports/quarterly.html", year=year, label=label, tables=tables,
                           charts=chart_list, columns=figures.COLUMNS, area=area,
                           periods={y: figures.quarter_dates(y) for y in (year, year - 1)},
                           measure_figures=figures.MEASURE_FIGURES,
                           figure_list_url=url_for("reports.figure_list"),
                           fields=kept_figures.panel(db(), org, year, area["placing"],
                                                     area["host"]),
                           panel_titles=field_figures.PANEL_TITLES,
                           prev_label=figures.financial_year_label(year - 1),
                           title=f"Quarterly figures {label}")


def _area() -> dict[str, Any]:
    """The placing or host council to filter by: one the organisation's children have, or
    the request is refused (a value typed into the address is never counted or audited)."""
    found = kept_figures.area_choices(db(), user().organisation)
    placing, host = request.args.get("placing") or "", request.args.get("host") or ""
    if (placing and placing not in found.placing) or (host and host not in found.host):
        abort(400)
    return {"placing": placing, "host": host, "choices": found}


def _period() -> tuple[date, date]:
    today = today_in_london()
    fy = _current_fy(today)
    try:
        start = date.fromisoformat(request.args.get("from") or f"{fy}-04-01")
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
    except ValueError:
        abort(400)
    if end < start:
        abort(400)
    return start, end


@bp.get("/reports/risk-factors")
def risk_factors() -> Any:
    start, end = _period()
    fmt = _format()
    org = user().organisation
    extra = org.setting("extra_risk_factors")
    counts = figures.risk_factor_counts(datasets.held_facts(db(), org, start, end), start, end,
                                        extra)
    parts = figures.breakdown(datasets.facts(db(), org, start, end, personal=True), start, end,
                              as_of=end)
    audit.record(db(), "report_risk_factors", user_id=user().id, org_id=org.id,
                 detail=f"{start} to {end} {fmt}")
    db().commit()
    threshold = int(org.setting("small_count_threshold"))
    if fmt == "csv":
        return _download(disclosure.risk_factors_csv(counts, threshold), "text/csv",
                         f"rhc-risk-factors-{start}-{end}.csv")
    sections = [("Age at the end of the period", parts["age"]), ("Gender", parts["gender"]),
                ("Ethnicity", parts["ethnicity"]), ("Care status", parts["care_status"])]
    if fmt == "pdf":
        tables = [ReportTable("Risk factors in conversations held", ["Code", "Risk factor", "Count"],
                              disclosure.count_rows(counts, threshold))]
        tables += [ReportTable(f"Missing children by {h.lower()}", ["", "Children"],
                               disclosure.count_rows(rows, threshold)) for h, rows in sections]
        pdf = build_report_pdf(f"Risk factors and missing children, {start} to {end}", org.name,
                               tables, utcnow(), [disclosure.note(threshold)])
        return _download(pdf, "application/pdf", f"rhc-risk-factors-{start}-{end}.pdf")
    return render_template("reports/risk_factors.html", counts=counts, sections=sections,
                           children=parts["children"], start=start, end=end,
                           title="Risk factors and missing children")


@bp.route("/reports/import", methods=["GET", "POST"])
def upload() -> Any:
    form = UploadForm()
    errors = None
    if form.validate_on_submit():
        data = form.file.data.read(25 * 1024 * 1024 + 1)
        org = user().organisation
        # Checked, then read again and written in batches: the rows are never all held.
        errors, summary = datasets.import_file(db(), ring(), org, data, user().id)
        if summary is None:
            form.file.errors = [f"The file has {len(errors)} problem(s): nothing was imported"]
        else:
            db().commit()
            flash(f"Imported {summary.text()}", "success")
            return redirect(url_for("reports.upload"))
    return render_template("reports/upload.html", form=form, errors=errors,
                           title="Import the standard dataset"), 400 if errors else 200


# Registered on bp by importing them: the team page and its sections, account approval, the
# lists behind the figures, closing an offer, the weekly missing meeting.
from rhc_app.web.reports import accounts, closing, figures_lists, team, weekly  # noqa: E402,F401
