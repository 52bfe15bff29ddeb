"""The conversation canvas: reading it, saving it (whole page or autosave), amending it."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for

from rhc_app.domain.lifecycle import is_read_only, read_only_message
from rhc_app.domain.prompts import PROMPTS
from rhc_app.domain.risk_factors import codes_for
from rhc_app.services.casework import (
    ACTIONS,
    AREAS,
    CaseworkError,
    amend,
    discard_draft,
    keep_draft,
    load_draft,
    normalise_canvas,
    save_canvas,
)
from rhc_app.store.db import utcnow
from rhc_app.store.models import Conversation
from rhc_app.web.common import audit_event, user
from rhc_app.web.conversations import bp
from rhc_app.web.conversations.canvas_form import (
    CanvasInputError,
    add_scratch_note,
    differences,
    parse,
)
from rhc_app.web.conversations.views import load_conversation as _load
from rhc_app.web.extensions import db


def _allowed() -> tuple[set[str], set[str]]:
    return set(codes_for(user().organisation.setting("extra_risk_factors"))), set(ACTIONS)


def _render_canvas(conv: Conversation, canvas: dict[str, Any], base_version: int, *,
                   problems: dict[str, str] | None = None, theirs: dict[str, Any] | None = None,
                   restored: bool = False, status: int = 200) -> Any:
    conflict = differences(normalise_canvas(canvas), theirs) if theirs is not None else None
    return render_template(
        "conversations/canvas.html", conv=conv, episode=conv.episode, child=conv.episode.child,
        canvas=normalise_canvas(canvas) | {"scratch": canvas.get("scratch", ""),
                                           "scratch_area": canvas.get("scratch_area", "")},
        base_version=base_version, problems=problems or {}, conflict=conflict,
        theirs=theirs, restored=restored, areas=AREAS, prompts=PROMPTS,
        risk_codes=codes_for(user().organisation.setting("extra_risk_factors")),
        actions=ACTIONS, read_only=is_read_only(conv.status),
        title="Error: Conversation" if problems else "Conversation"), status


def _accepted(conversation_id: str) -> tuple[Conversation, Any]:
    conv = _load(conversation_id)
    if conv.status in ("to_offer", "offered", "declined", "not_completed"):
        flash("Record that the child accepted the conversation first")
        return conv, redirect(url_for("conversations.show", conversation_id=conv.id))
    return conv, None


# Reading and saving are separate views: HEAD reaches only the GET one, so a write is a POST.
@bp.get("/conversations/<conversation_id>/canvas")
def canvas(conversation_id: str) -> Any:
    conv, refused = _accepted(conversation_id)
    if refused:
        return refused
    audit_event("conversation_opened", record_type="conversation", record_id=conv.id)
    db().commit()
    draft = load_draft(db(), user().id, conv.id)
    if draft is not None and not is_read_only(conv.status):
        mine, base = draft
        theirs = conv.canvas if base != conv.version else None
        return _render_canvas(conv, mine, conv.version, theirs=theirs, restored=True)
    return _render_canvas(conv, conv.canvas, conv.version)


@bp.post("/conversations/<conversation_id>/canvas")
def save_canvas_page(conversation_id: str) -> Any:
    conv, refused = _accepted(conversation_id)
    return refused or _save(conv, full_page=True)


@bp.post("/conversations/<conversation_id>/autosave")
def autosave(conversation_id: str) -> Any:
    return _save(_load(conversation_id), full_page=False)


def _save(conv: Conversation, full_page: bool) -> Any:
    try:
        base = int(request.form.get("base_version", ""))
    except ValueError:
        abort(400)
    if not 0 < base < 2**31:  # versions are small positive integers on both engines
        abort(400)
    try:
        canvas = parse(request.form, *_allowed())
    except CanvasInputError as exc:
        if not full_page:
            return jsonify(status="invalid", problems=exc.problems), 422
        audit_event("conversation_opened", record_type="conversation", record_id=conv.id)
        db().commit()  # the stored record is shown with what was typed
        return _render_canvas(conv, exc.canvas or conv.canvas, base, problems=exc.problems,
                              status=400)
    action = request.form.get("action", "save")
    if action == "add_note":
        add_scratch_note(canvas)
    try:
        # Another tab's save must not discard text this user's other tab kept after a conflict.
        result = save_canvas(db(), user(), conv, canvas, base,
                             resolves_draft=bool(request.form.get("resolves_draft")))
    except CaseworkError as exc:
        db().rollback()
        if not full_page:
            return jsonify(status="read_only", message=str(exc)), 409
        flash(str(exc))
        return redirect(url_for("conversations.show", conversation_id=conv.id))
    if result.problems:
        db().rollback()
        if not full_page:
            return jsonify(status="invalid", problems=result.problems), 422
        audit_event("conversation_opened", record_type="conversation", record_id=conv.id)
        db().commit()
        return _render_canvas(conv, canvas, base, problems={
            f"detail-{k}": v for k, v in result.problems.items()}, status=400)
    if not result.applied:
        # Never a silent overwrite: keep what this user typed, show both versions.
        keep_draft(db(), user().id, conv, canvas, base)
        db().commit()
        if not full_page:
            return jsonify(status="conflict", version=result.version,
                           url=url_for("conversations.canvas", conversation_id=conv.id)), 409
        audit_event("conversation_conflict_viewed", record_type="conversation",
                    record_id=conv.id)  # the stored version is shown beside theirs
        db().commit()
        return _render_canvas(conv, canvas, result.version, theirs=result.theirs, status=409)
    db().commit()
    if not full_page:
        return jsonify(status="saved", version=result.version,
                       saved_at=utcnow().isoformat(timespec="seconds"))
    if action == "add_person":
        canvas["people"].append({})
    elif action == "add_place":
        canvas["places"].append({})
    else:
        flash("Saved" if action != "add_note" else "Note added", "success")
        anchor = {"add_note": "#quick-note"}.get(action, "")
        return redirect(url_for("conversations.canvas", conversation_id=conv.id) + anchor)
    return _render_canvas(conv, canvas, result.version)


@bp.post("/conversations/<conversation_id>/discard-draft")
def discard(conversation_id: str) -> Any:
    conv = _load(conversation_id)
    discard_draft(db(), conv.id, user().id)
    db().commit()
    flash("Your unsaved version was discarded", "success")
    return redirect(url_for("conversations.canvas", conversation_id=conv.id))


@bp.route("/conversations/<conversation_id>/amend", methods=["GET", "POST"])
def amend_conversation(conversation_id: str) -> Any:
    conv = _load(conversation_id)
    if conv.status != "completed":
        if is_read_only(conv.status):  # awaiting sign-off: say why nothing can change
            flash(read_only_message(conv.status))
        return redirect(url_for("conversations.canvas", conversation_id=conv.id))
    problems: dict[str, str] = {}
    canvas = conv.canvas
    if request.method != "POST":  # the whole record, to amend
        audit_event("conversation_amend_viewed", record_type="conversation", record_id=conv.id)
        db().commit()
    if request.method == "POST":
        try:
            canvas = parse(request.form, *_allowed())
            amend(db(), user(), conv, canvas, request.form.get("reason", "")[:2000])
        except CanvasInputError as exc:
            problems, canvas = exc.problems, exc.canvas or canvas
        except CaseworkError as exc:
            db().rollback()
            problems = {exc.field or "reason": str(exc)}
        else:
            db().commit()
            flash("Amendment saved", "success")
            return redirect(url_for("conversations.show", conversation_id=conv.id))
    return render_template(
        "conversations/canvas.html", conv=conv, episode=conv.episode, child=conv.episode.child,
        canvas=normalise_canvas(canvas) | {"scratch": "", "scratch_area": ""},
        base_version=conv.version, problems=problems, conflict=None, theirs=None,
        restored=False, areas=AREAS, prompts=PROMPTS, amending=True,
        risk_codes=codes_for(user().organisation.setting("extra_risk_factors")),
        actions=ACTIONS, read_only=False,
        title="Error: Amend conversation" if problems else "Amend conversation"
    ), 400 if problems else 200
