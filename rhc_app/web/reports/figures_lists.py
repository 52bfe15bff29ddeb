"""Managers: the episodes behind any figure on the quarterly and team pages, so a number in a
committee paper can be checked. Every list is audited: who listed which figure, for when."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import abort, render_template, request

from rhc_app.domain import vocabulary
from rhc_app.services import figure_lists
from rhc_app.web.common import user
from rhc_app.web.extensions import db
from rhc_app.web.reports.views import bp

_USER_ID = re.compile(r"[0-9a-f]{32}")


def _scope() -> figure_lists.Scope:
    """The list asked for, from the link's query; anything malformed is refused before it
    is audited (a query value is never written to the audit log as typed)."""
    try:
        start = date.fromisoformat(request.args.get("start", ""))
        end = date.fromisoformat(request.args.get("end", ""))
    except ValueError:
        abort(400)
    cohort = request.args.get("cohort") or "all"
    worker = request.args.get("worker") or None
    if end < start or cohort not in figure_lists.COHORTS:
        abort(400)
    if worker not in (None, figure_lists.NOT_ALLOCATED) and not _USER_ID.fullmatch(worker):
        abort(400)
    return figure_lists.Scope(start, end, cohort, worker)


@bp.get("/reports/figures")
def figure_list() -> Any:
    # In the query, not the path: every part of the link is a code checked here.
    figure = request.args.get("figure", "")
    if figure not in vocabulary.FIGURES:
        abort(404)
    scope = _scope()
    rows = figure_lists.list_for_manager(db(), user(), figure, scope)
    db().commit()
    return render_template("reports/figure_list.html", rows=rows, figure=figure,
                           label=vocabulary.FIGURES[figure], scope=scope,
                           title=f"{vocabulary.FIGURES[figure]}: the episodes behind the figure")
