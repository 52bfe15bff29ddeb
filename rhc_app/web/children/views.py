"""Find and add children; add and correct missing episodes."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from rhc_app.security.access import child_filter, episode_filter
from rhc_app.services import strategy
from rhc_app.services.amendments import amend_episode
from rhc_app.services.children import (
    ChildDetails,
    EpisodeDetails,
    add_child,
    add_episode,
    council,
    find_children,
    set_placement,
    update_episode,
)
from rhc_app.store.db import utcnow
from rhc_app.store.models import Child, Conversation, Episode
from rhc_app.web.children import bp
from rhc_app.web.children.forms import (
    ChildForm,
    EpisodeAmendmentForm,
    EpisodeForm,
    FindChildForm,
    PlacementForm,
)
from rhc_app.web.common import apply, audit_event, ring, user
from rhc_app.web.extensions import db
from rhc_app.web.fields import utc_of
from rhc_app.web.loaders import get_child, get_episode, require_role


@bp.route("/children", methods=["GET", "POST"])
def find() -> Any:
    require_role(user(), "worker", "manager")
    form = FindChildForm()
    results = None
    if form.validate_on_submit():  # POST: names never appear in URLs or access logs
        results = find_children(db(), ring(), user(), form.query.data)
        audit_event("child_search", detail=f"{len(results)} results")
        db().commit()
    recent = db().execute(select(Child).where(child_filter(user()))
                          .order_by(Child.created_at.desc()).limit(20)).scalars().all()
    if recent:  # names on screen: the list itself is a view of records
        audit_event("children_listed", detail=f"{len(recent)} shown")
        db().commit()
    return render_template("children/find.html", form=form, results=results, recent=recent,
                           title="Children")


@bp.route("/children/new", methods=["GET", "POST"])
def new_child() -> Any:
    require_role(user(), "worker", "manager")
    form = ChildForm()
    if form.validate_on_submit():
        ok, child = apply(form, lambda: add_child(db(), ring(), user(), ChildDetails(
            name=form.name.data, case_reference=form.case_reference.data.strip(),
            date_of_birth=form.date_of_birth.data.isoformat() if form.date_of_birth.data
            else None, gender=form.gender.data, ethnicity=(form.ethnicity.data or "").strip() or None,
            in_care=form.in_care.data == "yes", home_area=form.home_area.data or None,
            placing_authority=council(form.placing_authority.data),
            host_area=council(form.host_area.data))))
        if ok:
            flash("Child added. Now add the missing episode.", "success")
            return redirect(url_for("children.new_episode", child_id=child.id))
    return render_template("children/child_form.html", form=form, title="Add a child")


@bp.get("/children/<child_id>")
def show_child(child_id: str) -> Any:
    child = get_child(db(), user(), child_id)
    # Only the episodes this user may open: a colleague's episode of the same child stays theirs.
    conv = aliased(Conversation)  # episode_filter's subqueries name Conversation themselves
    rows = db().execute(select(Episode, conv).outerjoin(conv, conv.episode_id == Episode.id)
                        .where(Episode.child_id == child.id, episode_filter(user()))
                        .order_by(Episode.reported_missing_at.desc())).all()
    others = db().scalar(select(func.count()).select_from(Episode)
                         .where(Episode.child_id == child.id)) > len(rows)
    audit_event("child_viewed", record_type="child", record_id=child.id)
    db().commit()
    return render_template("children/child.html", child=child, rows=rows, others=others,
                           title="Child", strategy_history=strategy.history(db(), child),
                           strategy_state=strategy.child_state(db(), user().organisation, child,
                                                         utcnow()))


@bp.route("/children/<child_id>/placement", methods=["GET", "POST"])
def placement(child_id: str) -> Any:
    """Where a child placed out of area comes from and lives now (issue 17)."""
    require_role(user(), "worker", "manager")
    child = get_child(db(), user(), child_id)
    form = PlacementForm(data=None if _posted() else {
        "placing_authority": child.placing_authority, "host_area": child.host_area})
    if not _posted():
        audit_event("child_placement_viewed", record_type="child", record_id=child.id)
        db().commit()
    if form.validate_on_submit():
        ok, _ = apply(form, lambda: set_placement(db(), user(), child,
                                                  form.placing_authority.data,
                                                  form.host_area.data))
        if ok:
            flash("Placement saved", "success")
            return redirect(url_for("children.show_child", child_id=child.id))
    return render_template("children/placement_form.html", form=form, child=child,
                           title="Placing authority and host area")


def _episode_details(form: EpisodeForm) -> EpisodeDetails:
    return EpisodeDetails(reported_missing_at=utc_of(form.reported_missing_at),  # type: ignore[arg-type]
                          found_at=utc_of(form.found_at), found_where=form.found_where.data or None,
                          missing_from=form.missing_from.data,
                          police_risk=form.police_risk.data or None,
                          police_reference=form.police_reference.data or None)


@bp.route("/children/<child_id>/episodes/new", methods=["GET", "POST"])
def new_episode(child_id: str) -> Any:
    child = get_child(db(), user(), child_id)
    form = EpisodeForm()
    if not _posted():
        audit_event("episode_form_viewed", record_type="child", record_id=child.id)
        db().commit()
    if form.validate_on_submit():
        ok, episode = apply(form, lambda: add_episode(db(), user(), child,
                                                      _episode_details(form)))
        if ok:
            flash("Missing episode added", "success")
            return redirect(url_for("conversations.show",
                                    conversation_id=episode.conversation.id))
    return render_template("children/episode_form.html", form=form, child=child,
                           title="Add a missing episode")


@bp.route("/episodes/<episode_id>/edit", methods=["GET", "POST"])
def edit_episode(episode_id: str) -> Any:
    episode = get_episode(db(), user(), episode_id)
    conv = episode.conversation
    # Once completed, the episode's times set the record's 72-hour figures: amend, with a reason.
    amending = conv is not None and conv.status == "completed"
    form_class = EpisodeAmendmentForm if amending else EpisodeForm
    form = form_class(obj=None if _posted() else _episode_obj(episode))
    if not _posted():
        audit_event("episode_viewed", record_type="episode", record_id=episode.id)
        db().commit()
    if form.validate_on_submit():
        ok, _ = apply(form, lambda: amend_episode(
            db(), user(), episode, _episode_details(form), form.reason.data) if amending
            else update_episode(db(), user(), episode, _episode_details(form)))
        if ok:
            flash("Amendment saved" if amending else "Episode updated", "success")
            if conv is None:
                return redirect(url_for("children.show_child", child_id=episode.child_id))
            return redirect(url_for("conversations.show", conversation_id=conv.id))
    return render_template("children/episode_form.html", form=form, child=episode.child,
                           episode=episode, amending=amending,
                           title="Amend the missing episode" if amending
                           else "Change the missing episode")


def _posted() -> bool:
    from flask import request

    return request.method == "POST"


class _Obj:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


def _episode_obj(e: Episode) -> _Obj:
    return _Obj(reported_missing_at=e.reported_missing_at, found_at=e.found_at,
                found_where=e.found_where, missing_from=e.missing_from,
                police_risk=e.police_risk or "", police_reference=e.police_reference)
