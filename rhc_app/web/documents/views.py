"""The summary written to the child (with its readability panel and read-back view) and the
two PDFs. PDFs are built on request, streamed, and never written to disk."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from rhc_app.documents.child_pdf import build_child_pdf
from rhc_app.documents.pdf_common import protect, safe_filename
from rhc_app.documents.police_pdf import build_police_pdf
from rhc_app.domain.child_summary import draft_summary
from rhc_app.domain.lifecycle import read_only_message
from rhc_app.domain.readability import analyse
from rhc_app.services.records import conversation_record, held_by, summary_facts
from rhc_app.store.db import utcnow
from rhc_app.store.models import Conversation
from rhc_app.web.common import audit_event, user
from rhc_app.web.documents.forms import SUMMARY_MAX_CHARS, PdfForm, SummaryForm
from rhc_app.web.extensions import db
from rhc_app.web.loaders import get_conversation, require_role

bp = Blueprint("documents", __name__)

READY = ("accepted", "in_progress", "awaiting_signoff", "completed")
NOT_HELD = ("declined", "not_completed")


def _load(conversation_id: str) -> Conversation:
    require_role(user(), "worker", "manager")
    return get_conversation(db(), user(), conversation_id)


@bp.route("/conversations/<conversation_id>/summary", methods=["GET", "POST"])
def summary(conversation_id: str) -> Any:
    conv = _load(conversation_id)
    form = SummaryForm()
    drafted = False
    if request.method == "GET":
        audit_event("child_summary_viewed", record_type="conversation", record_id=conv.id)
        db().commit()
        if conv.child_summary:
            form.summary.data = conv.child_summary
        else:
            form.summary.data = draft_summary(summary_facts(conv, held_by(conv)))
            drafted = True
    elif form.validate_on_submit():
        if request.form.get("action") == "check":
            pass  # show the readability panel for the text as typed; nothing saved
        elif conv.status == "awaiting_signoff":
            flash(read_only_message(conv.status))  # what was typed stays in the box
        elif conv.status == "completed" and conv.child_summary and \
                form.summary.data != conv.child_summary and not request.form.get("confirm"):
            flash("This conversation is completed: tick the box to confirm you are changing "
                  "the summary the child was given")
        else:
            conv.child_summary = form.summary.data
            conv.summary_read_back_at = None  # changed text has not been read back
            audit_event("child_summary_saved", record_type="conversation", record_id=conv.id)
            db().commit()
            flash("Summary saved", "success")
            return redirect(url_for("documents.summary", conversation_id=conv.id))
    # Bounded as the form bounds it: a refused 20 MB post is not read for its reading age.
    report = analyse((form.summary.data or "")[:SUMMARY_MAX_CHARS])
    return render_template("documents/summary.html", form=form, conv=conv, report=report,
                           drafted=drafted, child=conv.episode.child,
                           title="Summary for the child")


@bp.route("/conversations/<conversation_id>/summary/read-back", methods=["GET", "POST"])
def read_back(conversation_id: str) -> Any:
    conv = _load(conversation_id)
    if not conv.child_summary:
        flash("Save the summary first")
        return redirect(url_for("documents.summary", conversation_id=conv.id))
    if request.method == "POST" and conv.status == "awaiting_signoff":
        flash(read_only_message(conv.status))
        return redirect(url_for("documents.summary", conversation_id=conv.id))
    if request.method == "POST":
        conv.summary_read_back_at = utcnow()
        audit_event("child_summary_read_back", record_type="conversation", record_id=conv.id)
        db().commit()
        flash("Marked as read back to the child", "success")
        return redirect(url_for("documents.summary", conversation_id=conv.id))
    audit_event("child_summary_read_back_viewed", record_type="conversation", record_id=conv.id)
    db().commit()
    return render_template("documents/read_back.html", conv=conv, title="Read back")


@bp.route("/conversations/<conversation_id>/documents", methods=["GET"])
def police_pdf_page(conversation_id: str) -> Any:
    conv = _load(conversation_id)
    audit_event("documents_viewed", record_type="conversation", record_id=conv.id)
    db().commit()
    return render_template("documents/pdfs.html", conv=conv, child=conv.episode.child,
                           police_form=PdfForm(prefix="police"),
                           child_form=PdfForm(prefix="child"), form=None,
                           title="Documents")


@bp.post("/conversations/<conversation_id>/documents/<kind>.pdf")
def download(conversation_id: str, kind: str) -> Any:
    conv = _load(conversation_id)
    if kind not in ("police", "child"):
        return render_template("errors/http.html", code=404, title="Page not found"), 404
    form = PdfForm(prefix=kind)
    if not form.validate_on_submit():
        forms = {"police_form": PdfForm(prefix="police"), "child_form": PdfForm(prefix="child")}
        forms[f"{kind}_form"] = form
        return render_template("documents/pdfs.html", conv=conv, child=conv.episode.child,
                               form=form, title="Documents", **forms), 400
    # Police get a declined or unreached offer too: the attempts and what the carers said.
    if conv.status not in READY and not (kind == "police" and conv.status in NOT_HELD):
        flash("Documents are available once the child has accepted the conversation")
        return redirect(url_for("documents.police_pdf_page", conversation_id=conv.id))
    now = utcnow()
    record = conversation_record(conv, user(), now)  # produced by the downloader, not held
    child = conv.episode.child
    name = safe_filename(kind, child.case_reference or "", now, avoid=[child.name or ""])
    password = form.password.data
    audit_event(f"pdf_{kind}", record_type="conversation", record_id=conv.id,
                detail="password protected" if password else None)
    # Commit before building, from plain data only: no transaction (on SQLite, not the one
    # write lock) is held while a long record is laid out, so other saves go ahead.
    db().commit()
    pdf = build_police_pdf(record) if kind == "police" else build_child_pdf(record)
    if password:
        pdf = protect(pdf, password)
    # Never cached: the app's response hook sends no-store for every page but static files.
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=name)
