"""Administrators manage their organisation's users and settings; they see no case records."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from rhc_app.security import audit
from rhc_app.services import invitations
from rhc_app.services import users as accounts
from rhc_app.services.conversation_fields import late_reasons
from rhc_app.store.models import Organisation, User
from rhc_app.web.admin import bp
from rhc_app.web.admin.forms import SettingsForm, UserForm
from rhc_app.web.common import apply, user
from rhc_app.web.extensions import db
from rhc_app.web.loaders import require_role


@bp.before_request
def admins_only() -> None:
    require_role(user(), "admin")


def _member(user_id: str) -> User:
    member = db().get(User, user_id)
    if member is None or member.organisation_id != user().organisation_id:
        abort(404)
    return member


@bp.get("/admin/users")
def users() -> Any:
    members = db().execute(select(User).where(
        User.organisation_id == user().organisation_id)).scalars().all()
    members = sorted(members, key=lambda u: (not u.active, (u.name or "").casefold()))
    return render_template("admin/users.html", members=members, title="Users")


@bp.route("/admin/users/new", methods=["GET", "POST"])
def new_user() -> Any:
    form = UserForm()
    if form.validate_on_submit():
        ok, made = apply(form, lambda: accounts.create(
            db(), user().organisation_id, form.email.data, form.name.data, form.role.data,
            user(), fast=current_app.config["ARGON2_FAST"]))
        if ok and made:
            return _one_time_password_page(*made, "User added")
    return render_template("admin/user_form.html", form=form, title="Add a user")


def _change_target(user_id: str, action: str) -> tuple[User, Any]:
    if action not in ("disable", "enable", "reset-password"):
        abort(404)
    member = _member(user_id)
    if member.id == user().id and action == "disable":
        flash("You cannot disable your own account")
        return member, redirect(url_for("admin.users"))
    return member, None


# The confirmation page and the change are separate views: HEAD reaches only the GET one.
@bp.get("/admin/users/<user_id>/<action>")
def confirm_change_user(user_id: str, action: str) -> Any:
    member, refused = _change_target(user_id, action)
    return refused or render_template("admin/confirm.html", member=member, action=action,
                                      title="Confirm")


@bp.post("/admin/users/<user_id>/<action>")
def change_user(user_id: str, action: str) -> Any:
    member, refused = _change_target(user_id, action)
    if refused:
        return refused
    issued = None
    if action == "reset-password":
        issued = accounts.reset_password(db(), member, user(),
                                         fast=current_app.config["ARGON2_FAST"])
    else:
        accounts.set_active(db(), member, user(), action == "enable")
    db().commit()
    if issued:
        return _one_time_password_page(member, issued, "Password reset")
    flash(f"{member.name} is {'enabled' if member.active else 'disabled'}", "success")
    return redirect(url_for("admin.users"))


def _one_time_password_page(member: User, issued: invitations.Issued, title: str) -> Any:
    # Shown once, on this page only: never stored in plaintext, never in a flash. For a
    # worker or manager it is only the first half (see invitations.py).
    return render_template("admin/password.html", member=member, issued=issued, title=title,
                           approvers=invitations.others_who_can_approve(db(), member))


STRATEGY_SETTINGS = ("decision_working_days", "in_care_meeting_day", "senior_manager_hours")
LIST_SETTINGS = ("offer_again_days",)  # services/listing.py


@bp.route("/admin/settings", methods=["GET", "POST"])
def settings() -> Any:
    org = user().organisation
    form = SettingsForm(data=None if request.method == "POST" else {
        "repeat_threshold": org.setting("repeat_threshold"),
        "repeat_window_days": org.setting("repeat_window_days"),
        "require_signoff": bool(org.setting("require_signoff")),
        **{k: org.setting(k) for k in STRATEGY_SETTINGS + LIST_SETTINGS},
        "handling_instructions": org.setting("handling_instructions"),
        "team_contact": org.setting("team_contact"),
        "late_reasons": "\n".join(label for code, label in late_reasons(org).items()
                                  if code != "other")})
    if form.validate_on_submit():
        org.settings = {**(org.settings or {}), "repeat_threshold": form.repeat_threshold.data,
                        "repeat_window_days": form.repeat_window_days.data,
                        "require_signoff": bool(form.require_signoff.data),
                        "handling_instructions": " ".join(
                            (form.handling_instructions.data or "").split()),
                        "team_contact": " ".join((form.team_contact.data or "").split()),
                        # Empty: the usual value.
                        **{k: Organisation.DEFAULTS[k] if form[k].data is None else form[k].data
                           for k in STRATEGY_SETTINGS + LIST_SETTINGS},
                        "late_reasons": [" ".join(line.split()) for line in
                                         (form.late_reasons.data or "").splitlines()
                                         if line.strip()]}
        audit.record(db(), "org_settings_changed", user_id=user().id, org_id=org.id,
                     record_type="organisation", record_id=org.id)
        db().commit()
        flash("Settings saved", "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, title="Organisation settings")
