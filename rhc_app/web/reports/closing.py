"""Managers: close a declined or not completed conversation with no further offer. The page
is the confirmation; the POST closes it (audited) and answers with a redirect."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for

from rhc_app.services.closing import CLOSABLE, close_offer
from rhc_app.store.db import utcnow
from rhc_app.web.common import apply, audit_event, user
from rhc_app.web.extensions import db
from rhc_app.web.loaders import get_conversation
from rhc_app.web.reports.forms import CloseOfferForm
from rhc_app.web.reports.views import bp


@bp.route("/team/conversations/<conversation_id>/close", methods=["GET", "POST"])
def close_offer_page(conversation_id: str) -> Any:
    conv = get_conversation(db(), user(), conversation_id)
    form = CloseOfferForm()
    if form.validate_on_submit():
        done, _ = apply(form, lambda: close_offer(db(), user(), conv, form.reason.data,
                                                  form.note.data or "", utcnow()))
        if done:
            flash("Closed: no further offer. It is no longer in the list to offer again",
                  "success")
            return redirect(url_for("conversations.show", conversation_id=conv.id))
    elif not form.is_submitted():
        audit_event("offer_close_viewed", record_type="conversation", record_id=conv.id)
        db().commit()
    closable = conv.status in CLOSABLE and conv.closure is None  # type: ignore[attr-defined]
    return render_template("reports/close_offer.html", form=form, conv=conv,
                           child=conv.episode.child, closable=closable,
                           title="Close with no further offer"), 400 if form.errors else 200
