"""Managers: the weekly multi-agency missing meeting for a chosen week, as a page and as a
PDF for the meeting. Both are audited; the PDF's name carries the week, never a name."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, render_template, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput
from wtforms import SubmitField

from rhc_app.documents.weekly_pdf import build_weekly_pdf
from rhc_app.domain.uk_time import format_date_long, today_in_london
from rhc_app.domain.weekly import Week
from rhc_app.services import weekly
from rhc_app.store.db import utcnow
from rhc_app.web.common import audit_event, user
from rhc_app.web.extensions import db
from rhc_app.web.fields import DayMonthYearField
from rhc_app.web.reports.views import _download, _format, bp


class WeekForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    day = DayMonthYearField("Show the week containing", widget=GovDateInput(),
                            description="For example, 27 11 2026. Weeks run Monday to Sunday.")
    submit = SubmitField("Show the week", widget=GovSubmitInput())


def _week(form: WeekForm) -> Week | None:
    """The week asked for: a date typed in the form, a week from a previous/next link, or
    this week. None when the date typed is wrong (the form carries the error)."""
    if "day" in request.args:
        if not form.validate() or form.day.data is None:
            if not form.day.errors:
                form.day.errors = ["Enter a date, for example 27 11 2026"]
            return None
        return Week.containing(form.day.data)
    raw = request.args.get("week")
    if raw:
        try:
            return Week.containing(date.fromisoformat(raw))
        except ValueError:
            abort(400)
    return Week.containing(today_in_london())


def week_label(week: Week) -> str:
    return f"Week of {format_date_long(week.monday)} to {format_date_long(week.sunday)}"


@bp.get("/reports/weekly")
def weekly_meeting() -> Any:
    fmt = _format()
    if fmt == "csv":  # the meeting is a page and a paper; refused before it is audited
        abort(400)
    form = WeekForm(request.args)
    week = _week(form)
    if week is None:
        return render_template("reports/weekly.html", form=form, week=None, sections=[],
                               title="Weekly missing meeting"), 400
    if form.day.data is None:  # show the week's Monday in the boxes
        form.day.data = week.monday
        form.day.raw_data = [str(week.monday.day), str(week.monday.month), str(week.monday.year)]
    org = user().organisation
    sections = weekly.meeting(db(), org, week, utcnow())
    audit_event("report_weekly_meeting", detail=f"{week.monday} {fmt}")
    db().commit()
    if fmt == "pdf":
        pdf = build_weekly_pdf(org.name, week_label(week), sections, utcnow())
        return _download(pdf, "application/pdf", f"rhc-weekly-meeting-{week.monday}.pdf")
    return render_template("reports/weekly.html", form=form, week=week, sections=sections,
                           label=week_label(week), title="Weekly missing meeting")
