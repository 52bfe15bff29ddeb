"""Actions and referrals: the worker's own open actions, the team's overdue ones (managers),
and adding or updating one on a conversation (whoever can open the conversation)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for

from rhc_app.domain.uk_time import today_in_london
from rhc_app.services import follow_up
from rhc_app.services.listing import PAGE_SIZE, pages_for
from rhc_app.store.models import Conversation, FollowUpAction
from rhc_app.web.actions import bp
from rhc_app.web.actions.forms import ActionForm
from rhc_app.web.common import apply, audit_event, user
from rhc_app.web.extensions import db
from rhc_app.web.loaders import get_conversation, require_role
from rhc_app.web.pagination import page_number, pagination


@bp.get("/actions")
def mine() -> Any:
    require_role(user(), "worker", "manager")
    found = follow_up.my_open_actions(db(), user(), today_in_london())
    if found:  # children's names on screen
        audit_event("actions_listed", detail=f"{len(found)} shown")
        db().commit()
    return render_template("actions/list.html", items=found, title="My actions",
                           empty="You have no open actions.")


@bp.get("/actions/overdue")
def overdue() -> Any:
    """The team's overdue actions, PAGE_SIZE to a page (`?page=2`), most overdue first."""
    require_role(user(), "manager")
    today, number = today_in_london(), page_number()
    total = follow_up.count_team_overdue(db(), user(), today)
    pages = pages_for(total, PAGE_SIZE)
    if not 1 <= number <= pages:
        return render_template("actions/no_page.html", number=number, pages=pages,
                               title="Page not found"), 404
    found = follow_up.team_overdue(db(), user(), today, PAGE_SIZE, (number - 1) * PAGE_SIZE)
    if found:
        audit_event("overdue_actions_listed", detail=f"{len(found)} shown")
        db().commit()
    heading = "The team's overdue actions"
    title = heading + (f" (page {number} of {pages})" if pages > 1 else "")
    return render_template("actions/list.html", items=found, title=title, heading=heading,
                           empty="No action is overdue.", team=True, total=total,
                           first=(number - 1) * PAGE_SIZE + 1,
                           pagination=pagination("actions.overdue", number, pages))


def _conversation(conversation_id: str) -> Conversation:
    require_role(user(), "worker", "manager")
    return get_conversation(db(), user(), conversation_id)


def _form(conv: Conversation, action: FollowUpAction | None) -> ActionForm:
    form = ActionForm(obj=action) if action is not None else ActionForm(
        data={"owner_id": conv.worker_id or user().id, "status": "open"})
    kinds = follow_up.kinds_for(user().organisation)
    if action is not None and action.kind not in kinds:  # an old or removed code stays
        kinds = {action.kind: action.kind.replace("_", " ").capitalize(), **kinds}
    form.kind.choices = [("", "Select an action or referral"), *kinds.items()]
    owners = follow_up.owners_for(db(), conv)
    form.owner_id.choices = [(u.id, u.name or "") for u in owners]
    if action is not None and action.owner_id not in {u.id for u in owners}:
        form.owner_id.choices.insert(0, (action.owner_id or "", "Nobody who can open it now"))
    return form


def _change(form: ActionForm) -> follow_up.ActionChange:
    return follow_up.ActionChange(kind=form.kind.data or "", owner_id=form.owner_id.data or "",
                                  due_on=form.due_on.data, status=form.status.data or "",
                                  outcome=form.outcome.data or "",
                                  detail=form.detail.data or "")


def _page(conv: Conversation, form: ActionForm, action: FollowUpAction | None,
          status: int = 200) -> Any:
    audit_event("action_form_viewed", record_type="conversation", record_id=conv.id)
    db().commit()
    return render_template("actions/form.html", conv=conv, child=conv.episode.child, form=form,
                           action=action, title="Update an action" if action
                           else "Add an action or referral"), status


@bp.route("/conversations/<conversation_id>/actions/new", methods=["GET", "POST"])
def add(conversation_id: str) -> Any:
    conv = _conversation(conversation_id)
    form = _form(conv, None)
    if form.validate_on_submit():
        ok, _ = apply(form, lambda: follow_up.add_action(db(), user(), conv, _change(form),
                                                         today_in_london()))
        if ok:
            flash("Action added", "success")
            return redirect(url_for("conversations.show", conversation_id=conv.id,
                                    _anchor="actions"))
    return _page(conv, form, None, 400 if form.errors else 200)


@bp.route("/conversations/<conversation_id>/actions/<action_id>", methods=["GET", "POST"])
def update(conversation_id: str, action_id: str) -> Any:
    conv = _conversation(conversation_id)
    action = follow_up.find_action(db(), conv, action_id)
    if action is None:
        abort(404)
    form = _form(conv, action)
    if form.validate_on_submit():
        ok, _ = apply(form, lambda: follow_up.update_action(db(), user(), conv, action,
                                                            _change(form), today_in_london()))
        if ok:
            flash("Action updated", "success")
            return redirect(url_for("conversations.show", conversation_id=conv.id,
                                    _anchor="actions"))
    return _page(conv, form, action, 400 if form.errors else 200)
