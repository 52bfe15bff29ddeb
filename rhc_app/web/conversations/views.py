"""The worker's day, offering the conversation, allocating it and signing it off. The canvas,
and completing it (the Complete button posts the canvas), are in canvas_views.py."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from rhc_app.domain import delay_reasons, lifecycle, uk_time
from rhc_app.domain.prompts import STAGE_PROMPTS
from rhc_app.domain.vocabulary import choices
from rhc_app.security.access import conversation_filter, own_work
from rhc_app.services import allocation, covering, oversight
from rhc_app.services.amendments import trail
from rhc_app.services.canvas import parse_held_at
from rhc_app.services.conversation_fields import OfferFields, holder_defaults, late_reasons
from rhc_app.services.conversations import (
    held_or_completed_by,
    record_attempt,
    record_outcome,
    sign_off,
)
from rhc_app.services.errors import CaseworkError
from rhc_app.services.follow_up import actions_of
from rhc_app.services.listing import rows, worker_day
from rhc_app.store.db import utcnow
from rhc_app.store.models import Conversation, Episode, User
from rhc_app.web.common import apply, audit_event, links_to, user
from rhc_app.web.conversations import bp
from rhc_app.web.conversations.forms import AttemptForm, OutcomeForm, SignOffForm
from rhc_app.web.extensions import db
from rhc_app.web.fields import utc_of
from rhc_app.web.loaders import get_conversation, require_role
from rhc_app.web.pagination import page_number, pagination


@bp.context_processor
def _record_fields() -> dict[str, Any]:
    """For the issue 17 partials (offer and canvas): the organisation's late reasons, what
    the canvas suggests for who held it, and the 72-hour clock's end."""
    if not current_user.is_authenticated:
        return {}
    org = user().organisation
    return {"late_reason_labels": late_reasons(org), "holder_defaults": holder_defaults(org),
            "stage_prompts": STAGE_PROMPTS,
            "due_of": lambda episode: uk_time.due_at(episode.found_at),
            "held_late_on": _held_late}


def _held_late(episode: Episode, held: str | None) -> bool:
    try:
        return delay_reasons.is_late(episode.found_at, parse_held_at(held))
    except ValueError:  # typed text shown back with its own error
        return False


@bp.get("/")
def my_list() -> Any:
    """The worker's day: live work, most urgent first, 50 a page (the whole history is on
    each child's page)."""
    me = user()
    if me.role == "admin":
        return redirect(url_for("admin.users"))
    if me.role == "exploitation_lead":  # holds no conversations: their page is connections
        return redirect(url_for("links.connections"))
    where = Conversation.worker_id == me.id if me.role == "manager" else conversation_filter(me)
    page = worker_day(db(), me.organisation, where, utcnow(), page_number(),
                      holders=own_work(me))
    if page.rows:  # children's names on screen
        audit_event("conversations_listed", detail=f"{len(page.rows)} shown")
        db().commit()
    return render_template(
        "conversations/list.html", rows=page.rows, page=page,
        conversation_link=links_to("conversations.show", "conversation_id"),
        pagination=pagination("conversations.my_list", page.number, page.pages),
        offer_again_days=int(me.organisation.setting("offer_again_days")),
        title=("Page not found" if page.out_of_range else "My conversations"
               + (f" (page {page.number} of {page.pages})" if page.pages > 1 else "")),
    ), 404 if page.out_of_range else 200


def load_conversation(conversation_id: str) -> Conversation:
    """The conversation, if this worker or manager may see it (404 otherwise)."""
    require_role(user(), "worker", "manager")
    return get_conversation(db(), user(), conversation_id)


@bp.get("/conversations/<conversation_id>")
def show(conversation_id: str) -> Any:
    conv = load_conversation(conversation_id)
    return _render_show(conv, AttemptForm(formdata=None, prefix="attempt"), _outcome_form(conv))


def _outcome_form(conv: Conversation, posted: bool = False) -> OutcomeForm:
    """The outcome form, with the organisation's late reasons and, unposted, what is kept."""
    kept = conv.canvas.get("details", {})
    form = OutcomeForm() if posted else OutcomeForm(formdata=None, data={
        "carers_said": conv.carers_said or "", "late_reason": conv.late_reason or "",
        "late_reason_note": kept.get("late_reason_note", "")})
    form.late_reason.choices = choices(late_reasons(user().organisation))
    return form


def _offer_fields(form: OutcomeForm) -> OfferFields:
    return OfferFields(carers_said=form.carers_said.data or "",
                       late_reason=form.late_reason.data or "",
                       late_reason_note=form.late_reason_note.data or "",
                       not_offered_by=form.not_offered_by.data or "")


def _render_show(conv: Conversation, attempt_form: AttemptForm, outcome_form: OutcomeForm,
                 status: int = 200, signoff_form: SignOffForm | None = None) -> Any:
    episode = conv.episode
    now = utcnow()
    row = next((r for r in rows(db(), user().organisation, Conversation.id == conv.id, now,
                                statuses=(conv.status,))), None)
    audit_event("conversation_viewed", record_type="conversation", record_id=conv.id)
    db().commit()
    signoff_form = signoff_form or SignOffForm(formdata=None, prefix="signoff")
    form = next((f for f in (attempt_form, signoff_form) if f.errors), outcome_form)
    workers = []
    if user().role == "manager":
        workers = db().execute(select(User).where(
            User.organisation_id == user().organisation_id, User.active.is_(True),
            User.role.in_(("worker", "manager")))).scalars().all()
    amendments = trail(db(), conv)
    extra = {"follow_up": actions_of(db(), conv, uk_time.today_in_london(now)),
             "oversight": oversight.history(db(), conv), **_covering(conv)}
    return render_template(
        "conversations/show.html", conv=conv, episode=episode, child=episode.child, row=row,
        amendments=amendments,
        attempt_form=attempt_form, outcome_form=outcome_form, form=form, workers=workers,
        signoff_form=signoff_form, own_record=held_or_completed_by(conv, user()),
        returned_by=db().get(User, conv.returned_by) if conv.returned_by else None,
        timely=uk_time.within_timescale(episode.found_at, conv.held_at),
        title="Conversation", **extra), status


def _covering(conv: Conversation) -> dict[str, Any]:
    """What the page shows of the episodes this conversation covers (or is covered by)."""
    return {"covered_link": covering.covering_link(db(), conv),
            "covers": covering.summaries(db(), conv),
            "can_cover": bool(covering.candidates(db(), user(), conv)),
            # a declined conversation's episodes can still go back to be offered on their own
            "can_change_covers": not lifecycle.is_read_only(conv.status),
            "within": uk_time.within_timescale}


@bp.post("/conversations/<conversation_id>/attempts")
def add_attempt(conversation_id: str) -> Any:
    conv = load_conversation(conversation_id)
    form = AttemptForm(prefix="attempt")
    if form.validate_on_submit():
        ok, _ = apply(form, lambda: record_attempt(db(), user(), conv, utc_of(form.at),  # type: ignore[arg-type]
                                                   form.method.data, form.result.data or None))
        if ok:
            flash("Contact attempt recorded", "success")
            return redirect(url_for("conversations.show", conversation_id=conv.id))
    return _render_show(conv, form, _outcome_form(conv), 400)


@bp.post("/conversations/<conversation_id>/outcome")
def outcome(conversation_id: str) -> Any:
    conv = load_conversation(conversation_id)
    form = _outcome_form(conv, posted=True)
    if form.validate_on_submit():
        ok, _ = apply(form, lambda: record_outcome(db(), user(), conv, form.action.data,
                                                   utc_of(form.at),  # type: ignore[arg-type]
                                                   form.reason.data or None,
                                                   fields=_offer_fields(form)))
        if ok:
            flash("Saved", "success")
            if conv.status == "accepted":
                return redirect(url_for("conversations.canvas", conversation_id=conv.id))
            return redirect(url_for("conversations.show", conversation_id=conv.id))
    return _render_show(conv, AttemptForm(formdata=None, prefix="attempt"), form, 400)


@bp.post("/conversations/<conversation_id>/allocate")
def allocate(conversation_id: str) -> Any:
    return _allocate_or_share(conversation_id, allocation.allocate, "Allocated to")


@bp.post("/conversations/<conversation_id>/share")
def share(conversation_id: str) -> Any:
    """Let another worker see and work on this conversation (cover, joint work)."""
    return _allocate_or_share(conversation_id, allocation.share, "Shared with")


def _allocate_or_share(conversation_id: str, action: Any, done: str) -> Any:
    conv = load_conversation(conversation_id)
    require_role(user(), "manager")
    try:
        worker = action(db(), user(), conv, request.form.get("worker_id", ""))
    except CaseworkError:
        abort(400)  # the page offers only the team's active workers: this is a forged post
    db().commit()
    flash(f"{done} {worker.name}", "success")
    return redirect(url_for("conversations.show", conversation_id=conv.id))


@bp.post("/conversations/<conversation_id>/sign-off")
def sign_off_conversation(conversation_id: str) -> Any:
    conv = load_conversation(conversation_id)
    require_role(user(), "manager")
    form = SignOffForm(prefix="signoff")
    if form.validate_on_submit():
        ok, _ = apply(form, lambda: sign_off(db(), user(), conv,
                                             approve=request.form.get("decision") == "approve",
                                             reason=form.reason.data or ""))
        if ok:
            flash("Signed off" if conv.status == "completed" else "Returned to the worker",
                  "success")
            return redirect(url_for("conversations.show", conversation_id=conv.id))
    return _render_show(conv, AttemptForm(formdata=None, prefix="attempt"),
                        _outcome_form(conv), 400, signoff_form=form)
