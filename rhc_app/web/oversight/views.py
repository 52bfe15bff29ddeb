"""Oversight while a child goes missing often or is still missing: recording a strategy
meeting decision, the still-missing list, and that a senior manager was told."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from rhc_app.domain.uk_time import today_in_london
from rhc_app.services import strategy
from rhc_app.services.still_missing import record_senior_manager_told, still_missing
from rhc_app.store.db import utcnow
from rhc_app.web.common import apply, audit_event, user
from rhc_app.web.extensions import db
from rhc_app.web.fields import utc_of
from rhc_app.web.loaders import get_child, get_episode, require_role
from rhc_app.web.oversight import bp
from rhc_app.web.oversight.forms import DecisionForm, SeniorManagerForm


def _details(form: DecisionForm) -> strategy.DecisionDetails:
    kind = form.decision.data or ""
    return strategy.DecisionDetails(
        kind=kind, meeting_on={"held": form.held_on.data, "booked": form.booked_for.data
                               }.get(kind), chair=form.chair.data, reason=form.reason.data)


@bp.route("/children/<child_id>/strategy-decision", methods=["GET", "POST"])
def record_decision(child_id: str) -> Any:
    child = get_child(db(), user(), child_id)
    form = DecisionForm().for_role(user().role)
    if request.method != "POST":
        audit_event("strategy_decision_form_viewed", record_type="child", record_id=child.id)
        db().commit()
    if form.validate_on_submit():
        ok, _ = apply(form, lambda: strategy.record_decision(db(), user(), child,
                                                             _details(form)))
        if ok:
            flash("Strategy meeting decision saved", "success")
            return redirect(url_for("children.show_child", child_id=child.id))
    state = strategy.child_state(db(), user().organisation, child, utcnow())
    return render_template("oversight/decision_form.html", form=form, child=child,
                           state=state, title="Record a strategy meeting decision")


@bp.get("/still-missing")
def missing_list() -> Any:
    require_role(user(), "worker", "manager")
    rows = still_missing(db(), user(), utcnow())
    if rows:  # names on screen: the list is a view of records
        audit_event("still_missing_listed", detail=f"{len(rows)} shown")
        db().commit()
    return render_template("oversight/still_missing.html", rows=rows,
                           rules=strategy.rules_for(user().organisation),
                           today=today_in_london(), title="Still missing")


@bp.route("/episodes/<episode_id>/senior-manager-told", methods=["GET", "POST"])
def senior_manager_told(episode_id: str) -> Any:
    require_role(user(), "manager")
    episode = get_episode(db(), user(), episode_id)
    form = SeniorManagerForm()
    if request.method != "POST":
        audit_event("episode_viewed", record_type="episode", record_id=episode.id)
        db().commit()
    if form.validate_on_submit():
        ok, _ = apply(form, lambda: record_senior_manager_told(
            db(), user(), episode, form.told_name.data, utc_of(form.told_at)))
        if ok:
            flash("Saved: the senior manager was told", "success")
            return redirect(url_for("oversight.missing_list"))
    return render_template("oversight/senior_manager.html", form=form, episode=episode,
                           child=episode.child, title="Record that a senior manager was told")
