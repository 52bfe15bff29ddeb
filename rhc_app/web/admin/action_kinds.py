"""Administrators: the organisation's own actions and referrals, offered beside the shared
list when a worker adds an action."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from rhc_app.services import follow_up
from rhc_app.web.admin import bp
from rhc_app.web.common import user
from rhc_app.web.extensions import db


class ActionKindsForm(FlaskForm):
    kinds = TextAreaField(
        "Your organisation's own actions and referrals", widget=GovTextArea(),
        description="One a line, for example: Youth offending team. Actions already recorded "
                    "keep their name if you remove it here.",
        validators=[Optional(), Length(max=4000, message="Enter 4,000 characters or fewer")])
    submit = SubmitField("Save", widget=GovSubmitInput())


@bp.route("/admin/actions", methods=["GET", "POST"])
def action_kinds() -> Any:
    org = user().organisation
    form = ActionKindsForm(data=None if request.method == "POST" else {
        "kinds": "\n".join(follow_up.own_kinds(org).values())})
    if form.validate_on_submit():
        follow_up.set_own_kinds(db(), user(), org, form.kinds.data or "")
        db().commit()
        flash("Actions and referrals saved", "success")
        return redirect(url_for("admin.action_kinds"))
    shared = [v for k, v in follow_up.kinds_for(org).items()
              if k not in follow_up.own_kinds(org)]
    return render_template("admin/action_kinds.html", form=form, shared=shared,
                           title="Actions and referrals")
