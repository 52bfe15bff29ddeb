"""Connections: the list (found from keyed hashes only, nothing opened) and one connection's
page (which opens only the matched entries, and is audited conversation by conversation).
Managers and the exploitation lead only; anyone else is answered 404."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput
from wtforms import SubmitField

from rhc_app.domain.uk_time import from_london, today_in_london
from rhc_app.security import audit
from rhc_app.security.access import conversations_among
from rhc_app.services import connections as found_connections
from rhc_app.services import hotspots, kept_links, sharing
from rhc_app.services.listing import pages_for
from rhc_app.web.common import audit_each, audit_event, links_to, user
from rhc_app.web.extensions import db
from rhc_app.web.fields import DayMonthYearField
from rhc_app.web.loaders import require_role
from rhc_app.web.pagination import page_number, pagination

bp = Blueprint("links", __name__)

DEFAULT_DAYS = 90
PAGE_SIZE = 50  # connections a page, as the other lists
LISTED = 10  # conversations listed under each connection: the latest (all on its own page)
TOKEN = re.compile(r"[0-9a-f]{64}")


@bp.before_request
def leads_only() -> None:
    require_role(user(), "manager", "exploitation_lead")


class PeriodForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    start = DayMonthYearField("From", widget=GovDateInput(),
                              description="For example, 1 9 2026")
    end = DayMonthYearField("To", widget=GovDateInput(), description="For example, 30 11 2026")
    submit = SubmitField("Show connections", widget=GovSubmitInput())


class SubmitForm(FlaskForm):
    """The police intelligence submission: a POST, with its CSRF token."""

    submit = SubmitField("Record as police intelligence", widget=GovSubmitInput())


class HotspotForm(PeriodForm):
    submit = SubmitField("Show hotspots", widget=GovSubmitInput())


def _period(form: PeriodForm) -> tuple[date, date] | None:
    """The dates asked for (both days included), or the last 90 days. None when a date typed
    is wrong: the form then carries the error next to its field."""
    if "start" not in request.args and "end" not in request.args:
        end = today_in_london()
        start = end - timedelta(days=DEFAULT_DAYS)
        for field, day in ((form.start, start), (form.end, end)):
            field.data, field.raw_data = day, [str(day.day), str(day.month), str(day.year)]
        return start, end
    form.validate()
    start, end = form.start.data, form.end.data
    if start is None and not form.start.errors:
        form.start.errors = ["Enter the date to show connections from, for example 1 9 2026"]
    if end is None and not form.end.errors:
        form.end.errors = ["Enter the date to show connections to, for example 30 11 2026"]
    if start and end and start > end:
        form.end.errors = ["The date to show connections to must be the same as or after the "
                           "date from"]
    if form.start.errors or form.end.errors or start is None or end is None:
        return None
    return start, end


def _bounds(period: tuple[date, date]) -> tuple[datetime, datetime]:
    """The UK days as UTC instants: from the first day's midnight to the last day's end."""
    start, end = period
    return (from_london(datetime.combine(start, time()), "forward"),
            from_london(datetime.combine(end + timedelta(days=1), time()), "forward"))


def _period_args(period: tuple[date, date]) -> dict[str, list[int]]:
    return {"start": [period[0].day, period[0].month, period[0].year],
            "end": [period[1].day, period[1].month, period[1].year]}


def _openable(ids: set[str]) -> set[str]:
    """The conversations the viewer may open: only those are linked."""
    return conversations_among(db(), user(), ids)


@bp.get("/connections")
def connections() -> Any:
    form = PeriodForm(request.args)
    period = _period(form)
    if period is None:
        return render_template("links/connections.html", form=form, found=None,
                               title="Connections between children"), 400
    number = page_number()
    first = (number - 1) * PAGE_SIZE
    total, shown = kept_links.connection_page(
        db(), user().organisation_id, *_bounds(period), max(first, 0), PAGE_SIZE, LISTED)
    pages = pages_for(total, PAGE_SIZE)
    if not 1 <= number <= pages:
        return render_template("links/connections.html", form=form, found=None, period=period,
                               period_args=_period_args(period), pages=pages, number=number,
                               out_of_range=True, title="Page not found"), 404
    openable = _openable({m.conversation_id for c in shown for m in c.latest})
    audit_event("connections_listed",
                detail=f"{period[0]} to {period[1]}: {len(shown)} of {total} shown")
    db().commit()
    return render_template("links/connections.html", form=form, found=shown, total=total,
                           first=first, openable=openable, period=period,
                           period_args=_period_args(period),
                           connection_link=links_to("links.connection", "token",
                                                    **_period_args(period)),
                           conversation_link=links_to("conversations.show", "conversation_id"),
                           pagination=pagination("links.connections", number, pages,
                                                 **_period_args(period)),
                           title="Connections between children" + (
                               f" (page {number} of {pages})" if pages > 1 else ""))


@bp.get("/connections/<token>")
def connection(token: str) -> Any:
    if not TOKEN.fullmatch(token):
        abort(404)
    form = PeriodForm(request.args)
    period = _period(form)
    if period is None:
        abort(404)
    conn = kept_links.connection(db(), user().organisation_id, token, *_bounds(period))
    if conn is None:
        abort(404)
    shown = found_connections.open_mentions(db(), conn)
    # Each conversation whose entry was opened, under the viewer's name.
    audit_each("connection_viewed", "conversation",
               dict.fromkeys(m.conversation_id for m in conn.mentions),
               detail=f"connection {token[:12]}")
    db().commit()
    children = {cid: n for n, cid in enumerate(dict.fromkeys(m.child_id for m in conn.mentions),
                                               start=1)}
    return render_template("links/connection.html", conn=conn, shown=shown, children=children,
                           openable=_openable({m.conversation_id for m in conn.mentions}),
                           no_consent=sharing.no_consent(db(), conn), csrf=SubmitForm(),
                           period=period, period_args=_period_args(period),
                           title="Connection between children")


@bp.get("/hotspots")
def hotspot_list() -> Any:
    form = HotspotForm(request.args)
    period = _period(form)
    if period is None:
        return render_template("links/hotspots.html", form=form, found=None,
                               title="Hotspots"), 400
    found = kept_links.hotspots_counted(db(), user().organisation_id, *_bounds(period))
    hotspots.label(db(), found)
    # One entry of each hotspot was opened for its name: recorded against its conversation.
    me = user()
    audit.record_many(db(), [
        *(audit.Entry("hotspots_viewed", me.id, me.organisation_id, "conversation", cid)
          for cid in dict.fromkeys(h.conversation_id for h in found)),
        audit.Entry("hotspots_listed", me.id, me.organisation_id,
                    detail=f"{period[0]} to {period[1]}: {len(found)} shown")])
    db().commit()
    days = (period[1] - period[0]).days + 1
    before = (period[0] - timedelta(days=days), period[0] - timedelta(days=1))
    return render_template("links/hotspots.html", form=form, found=found, period=period,
                           before=before, title="Hotspots")
