"""One conversation covering several missing episodes (issue 17): attaching another episode
of the child, and detaching one with a reason. Each page is the question (or confirmation);
its POST changes the record (audited, in services/covering.py) and answers with a redirect."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for

from rhc_app.domain.uk_time import format_datetime
from rhc_app.services import covering
from rhc_app.web.common import apply, audit_event, user
from rhc_app.web.conversations import bp
from rhc_app.web.conversations.forms import AttachEpisodeForm, DetachEpisodeForm
from rhc_app.web.conversations.views import load_conversation
from rhc_app.web.extensions import db


def _episode_label(episode: Any) -> str:
    return (f"Reported missing {format_datetime(episode.reported_missing_at)}, "
            f"found {format_datetime(episode.found_at)}")


@bp.route("/conversations/<conversation_id>/cover", methods=["GET", "POST"])
def attach_episode(conversation_id: str) -> Any:
    conv = load_conversation(conversation_id)
    offered = covering.candidates(db(), user(), conv)
    form = AttachEpisodeForm()
    form.episode_id.choices = [(e.id, _episode_label(e)) for e in offered]
    if form.validate_on_submit():
        # Both conversations must be the user's to open: an episode not offered is not found.
        own = covering.own_conversation(db(), user(), form.episode_id.data or "")
        if own is None:
            abort(404)
        done, _ = apply(form, lambda: covering.attach(db(), user(), conv, own))
        if done:
            flash("Missing episode attached: this conversation covers it too", "success")
            return redirect(url_for("conversations.show", conversation_id=conv.id) + "#covers")
    elif not form.is_submitted():
        audit_event("episode_attach_viewed", record_type="conversation", record_id=conv.id)
        db().commit()
    return render_template("conversations/cover.html", form=form, conv=conv,
                           child=conv.episode.child, offered=offered,
                           title="Cover another missing episode"), 400 if form.errors else 200


@bp.route("/conversations/<conversation_id>/cover/<link_id>/detach", methods=["GET", "POST"])
def detach_episode(conversation_id: str, link_id: str) -> Any:
    conv = load_conversation(conversation_id)
    link = next((c for c in covering.summaries(db(), conv) if c.link_id == link_id), None)
    if link is None:
        abort(404)
    form = DetachEpisodeForm()
    if form.validate_on_submit():
        done, _ = apply(form, lambda: covering.detach(db(), user(), conv, link_id,
                                                      form.reason.data or ""))
        if done:
            flash("Missing episode detached: it has its own conversation again", "success")
            return redirect(url_for("conversations.show", conversation_id=conv.id) + "#covers")
    elif not form.is_submitted():
        audit_event("episode_detach_viewed", record_type="conversation", record_id=conv.id)
        db().commit()
    return render_template("conversations/uncover.html", form=form, conv=conv,
                           child=conv.episode.child, link=link,
                           title="Detach a missing episode"), 400 if form.errors else 200
