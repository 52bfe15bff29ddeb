"""The conversation canvas: reading it, saving it (whole page or autosave), completing it and
amending it."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for

from rhc_app.domain.lifecycle import is_read_only, read_only_message
from rhc_app.domain.prompts import PROMPTS
from rhc_app.domain.risk_factors import codes_for
from rhc_app.domain.vocabulary import ACTIONS, AREAS
from rhc_app.services.canvas import normalise_canvas
from rhc_app.services.conversations import (
    amend,
    complete,
    save_canvas,
)
from rhc_app.services.drafts import discard_draft, keep_draft, load_draft
from rhc_app.services.errors import CaseworkError
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
from rhc_app.web.conversations.canvas_labels import shown_conflict
from rhc_app.web.conversations.record_page import render_record
from rhc_app.web.conversations.views import load_conversation as _load
from rhc_app.web.extensions import db
from rhc_app.web.sessions import draft_key


def _allowed() -> tuple[set[str], set[str]]:
    return set(codes_for(user().organisation.setting("extra_risk_factors"))), set(ACTIONS)


def _render_canvas(conv: Conversation, canvas: dict[str, Any], base_version: int, *,
                   problems: dict[str, str] | None = None, theirs: dict[str, Any] | None = None,
                   restored: bool = False, status: int = 200) -> Any:
    risk_codes = codes_for(user().organisation.setting("extra_risk_factors"))
    if is_read_only(conv.status):  # nothing can change: a document to read, not a form
        return render_record(conv, normalise_canvas(conv.canvas), risk_codes), status
    conflict, conflict_lists = None, []
    if theirs is not None:  # in the worker's words: labels and London times
        conflict, conflict_lists = shown_conflict(
            differences(normalise_canvas(canvas), theirs), risk_codes)
    shown = normalise_canvas(canvas) | {"scratch": canvas.get("scratch", ""),
                                        "scratch_area": canvas.get("scratch_area", "")}
    return render_template(
        "conversations/canvas.html", conv=conv, episode=conv.episode, child=conv.episode.child,
        canvas=_with_new_row(shown), base_version=base_version, problems=problems or {},
        conflict=conflict, conflict_lists=conflict_lists,
        theirs=theirs, restored=restored, areas=AREAS, prompts=PROMPTS, risk_codes=risk_codes,
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
    draft = load_draft(db(), user().id, conv.id, draft_key(session))
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


def _posted_base_version() -> int:
    try:
        base = int(request.form.get("base_version", ""))
    except ValueError:
        abort(400)
    if not 0 < base < 2**31:  # versions are small positive integers on both engines
        abort(400)
    return base


def _save(conv: Conversation, full_page: bool) -> Any:
    base = _posted_base_version()
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
    if request.endpoint == "conversations.complete_conversation":
        action = "complete"
    if action == "add_note":
        add_scratch_note(canvas)
    try:
        # Another tab's save must not discard text this user's other tab kept after a conflict.
        result = save_canvas(db(), user(), conv, canvas, base,
                             resolves_draft=bool(request.form.get("resolves_draft")),
                             session_key=draft_key(session),
                             strict=full_page and action in ("save", "complete"))
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
        keep_draft(db(), user().id, conv, canvas, base, draft_key(session))
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
    return _after_save(conv, canvas, action)


def _after_save(conv: Conversation, canvas: dict[str, Any], action: str) -> Any:
    """Where a saved page goes next: completing, the new row, or back to the canvas."""
    if action == "complete":
        return _finish(conv)
    if action in ("add_person", "add_place"):
        return _to_new_row(conv, canvas, action.removeprefix("add_"))
    flash("Saved" if action != "add_note" else "Note added", "success")
    anchor = {"add_note": "#quick-note"}.get(action, "")
    return redirect(url_for("conversations.canvas", conversation_id=conv.id) + anchor)


# "Add a person" and "Add a place" save, then redirect (a reload must not post again) to the
# page with one empty row more, landing on it by its anchor.
NEW_ROWS = {"person": "people", "place": "places"}


def _to_new_row(conv: Conversation, canvas: dict[str, Any], kind: str) -> Any:
    row = len(canvas[NEW_ROWS[kind]])
    return redirect(url_for("conversations.canvas", conversation_id=conv.id, add=kind)
                    + f"#{kind}-{row}")


def _with_new_row(canvas: dict[str, Any]) -> dict[str, Any]:
    """The empty row asked for by ?add=person or ?add=place (GET only: nothing is saved)."""
    kind = request.args.get("add", "") if request.method == "GET" else ""
    if kind in NEW_ROWS:
        canvas[NEW_ROWS[kind]] = [*canvas[NEW_ROWS[kind]], {}]
    return canvas


@bp.post("/conversations/<conversation_id>/discard-draft")
def discard(conversation_id: str) -> Any:
    conv = _load(conversation_id)
    discard_draft(db(), conv.id, user().id, draft_key(session))
    db().commit()
    flash("Your unsaved version was discarded", "success")
    return redirect(url_for("conversations.canvas", conversation_id=conv.id))


@bp.post("/conversations/<conversation_id>/complete")
def complete_conversation(conversation_id: str) -> Any:
    conv = _load(conversation_id)
    if "base_version" in request.form:  # the Complete button posts the canvas: save it first
        return _save(conv, full_page=True)
    return _finish(conv)


def _finish(conv: Conversation) -> Any:
    try:
        complete(db(), user(), conv, user().organisation)
    except CaseworkError as exc:
        db().rollback()
        flash(str(exc))
        return redirect(url_for("conversations.canvas", conversation_id=conv.id))
    db().commit()
    flash("Conversation completed" if conv.status == "completed"
          else "Sent to your manager for sign-off", "success")
    return redirect(url_for("conversations.show", conversation_id=conv.id))


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
