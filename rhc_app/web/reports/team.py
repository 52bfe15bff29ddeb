"""Managers: the team page, a summary (each section's count and its most urgent rows), and
each section's whole list, paged ("See all"). Both show children's names: audited."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template

from rhc_app.domain import figures
from rhc_app.domain.uk_time import today_in_london
from rhc_app.domain.vocabulary import STATUSES
from rhc_app.services import dashboard, kept_figures, strategy
from rhc_app.services.follow_up import count_team_overdue, team_overdue
from rhc_app.services.listing import PAGE_SIZE, Page, pages_for
from rhc_app.store.db import utcnow
from rhc_app.web.common import audit_event, links_to, query_links_to, user
from rhc_app.web.extensions import db
from rhc_app.web.pagination import page_number, pagination
from rhc_app.web.reports import accounts
from rhc_app.web.reports.views import bp

# The address of each section's list, its heading, and what "See all N ..." calls its rows.
SECTIONS = {
    "overdue": ("overdue", "Overdue", "overdue"),
    "due-soon": ("due_soon", "Due in the next 24 hours", "due in the next 24 hours"),
    "due": ("due", "All due, across the team", "due across the team"),
    "unallocated": ("unallocated", "Not allocated to a worker", "not allocated"),
    "decisions": ("decisions", "Strategy meeting decisions to record", "decisions to record"),
    "no-found-time": ("no_found_time", "No found time recorded", "with no found time"),
    "no-consent": ("no_consent", "Consent to share not recorded",
                   "with consent to share not recorded"),
    "offer-again": ("offer_again", "Declined or not completed: offer again",
                    "to offer again"),
    "awaiting-sign-off": ("awaiting_signoff", STATUSES["awaiting_signoff"],
                          STATUSES["awaiting_signoff"].lower()),
}
SLUGS = {key: slug for slug, (key, _, _) in SECTIONS.items()}


@bp.get("/team", endpoint="dashboard")
def team_page() -> Any:
    org, now = user().organisation, utcnow()
    o = dashboard.overview(db(), org, now)
    states = dashboard.decision_states(db(), org, now)
    o.totals["decisions"] = len(states)
    months = figures.month_dates(today_in_london(), 6)
    timeliness = kept_figures.by_worker_and_month(db(), org, months)
    audit_event("team_dashboard_viewed")  # children's names on screen
    db().commit()
    return render_template(
        "reports/dashboard.html", o=o, accounts=accounts.notice(), sections=SECTIONS,
        slugs=SLUGS, shown=dashboard.SHOWN,
        overdue_actions=team_overdue(db(), user(), today_in_london(), limit=dashboard.SHOWN),
        overdue_actions_total=count_team_overdue(db(), user(), today_in_london()),
        decisions=strategy.due_decisions(db(), org, now, limit=dashboard.SHOWN, states=states),
        timeliness=_timeliness_table(timeliness, months), title="Team",
        conversation_link=links_to("conversations.show", "conversation_id"))


_TABLES_KEPT = 8  # a few organisations' tables: each some hundreds of KB


def _timeliness_table(timeliness: list[Any], months: list[Any]) -> str:
    """The timeliness table (hundreds of links), rendered once for the counts kept_figures
    keeps: while the figures version holds, it hands back the same list, so the same markup
    is reused (the list is held beside it, so its id cannot be reused). Only counts and
    workers' names are in it, as in the list."""
    tables = current_app.extensions.setdefault("rhc_timeliness_tables", {})
    key = (id(timeliness), tuple(months))
    if key in tables and tables[key][0] is timeliness:
        return tables[key][1]  # type: ignore[no-any-return]
    html = render_template("reports/_timeliness.html", timeliness=timeliness, months=months,
                           figure_link=query_links_to("reports.figure_list"))
    if len(tables) >= _TABLES_KEPT:
        tables.clear()
    tables[key] = (timeliness, html)
    return html


@bp.get("/team/<section>")
def section(section: str) -> Any:
    """One section of the team page, whole, 50 a page, most urgent first."""
    if section not in SECTIONS:
        abort(404)
    key, heading, _ = SECTIONS[section]
    org, now, number = user().organisation, utcnow(), page_number()
    page = (_decisions_page(org, now, number) if key == "decisions"
            else dashboard.section_page(db(), org, key, now, number))
    if page.rows:  # children's names on screen
        audit_event("team_section_viewed", detail=f"{section} page {number}")
        db().commit()
    return render_template(
        "reports/team_section.html", page=page, heading=heading, key=key, slug=section,
        pagination=pagination("reports.section", page.number, page.pages, section=section),
        offer_again_days=int(org.setting("offer_again_days")),
        conversation_link=links_to("conversations.show", "conversation_id"),
        title=("Page not found" if page.out_of_range else heading
               + (f" (page {page.number} of {page.pages})" if page.pages > 1 else "")),
    ), 404 if page.out_of_range else 200


def _decisions_page(org: Any, now: Any, number: int) -> Page:
    states = dashboard.decision_states(db(), org, now)
    total = len(states)
    pages = pages_for(total, PAGE_SIZE)
    if not 1 <= number <= pages:
        return Page([], number, pages, total)
    return Page(strategy.due_decisions(db(), org, now, limit=PAGE_SIZE,  # type: ignore[arg-type]
                                       offset=(number - 1) * PAGE_SIZE, states=states),
                number, pages, total)
