"""Two-step sign-in (TOTP): turning it on, changing the app that holds the key, turning it off.

Once it is on, changing or removing it needs the password and a code from the app in use now,
counted in the sign-in lock like any other guess: otherwise a session left open would be
enough to take over the account's second factor."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from rhc_app.security import audit
from rhc_app.security import passwords as security
from rhc_app.store.models import User
from rhc_app.web.auth import bp, guard
from rhc_app.web.auth.forms import TotpChangeForm, TotpRemoveForm, TotpSetupForm
from rhc_app.web.extensions import db

WRONG_NEW_CODE = ("The security code is not correct: check the time on your device and try "
                  "the newest code")
NOT_CONFIRMED = "Password or security code is not correct"


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _audit(action: str, user: User) -> None:
    audit.record(db(), action, user_id=user.id, org_id=user.organisation_id,
                 record_type="user", record_id=user.id)


def _confirmed(form: TotpChangeForm | TotpRemoveForm, user: User) -> bool:
    """The password and a fresh code from the current app are both right; a failure is
    counted, audited and answered with one message that does not say which was wrong."""
    s = db()
    if guard.locked(s, user.email_index):
        _audit("two_step_change_locked", user)
        s.commit()
        form.password.errors.append(guard.too_many_message())
        return False
    ok = security.verify_password(user.password_hash, form.password.data,
                                  fast=current_app.config["ARGON2_FAST"])
    step = security.totp_step(user.totp_secret or "", form.current_code.data or "",
                              user.totp_last_step)
    if ok and step is not None:
        user.totp_last_step = step  # the code cannot be used again, here or at sign-in
        return True
    guard.count_failure(s, user.email_index)
    _audit("two_step_change_failed", user)
    s.commit()
    form.password.errors.append(NOT_CONFIRMED)
    return False


def _pending_secret() -> str:
    """The new key shown on the page, kept in the session until a code from it is entered."""
    secret = session.get("totp_pending") or security.new_totp_secret()
    session["totp_pending"] = secret
    return secret


@bp.route("/account/two-step", methods=["GET", "POST"])
def totp_setup() -> Any:
    user = _me()
    replacing = bool(user.totp_secret)
    form = TotpChangeForm() if replacing else TotpSetupForm()
    secret = _pending_secret()
    status = 200
    if form.validate_on_submit():
        if replacing and not _confirmed(form, user):  # type: ignore[arg-type]
            status = 429 if guard.too_many_message() in form.password.errors else 200
        elif not security.totp_ok(secret, form.code.data):
            form.code.errors.append(WRONG_NEW_CODE)
        else:
            user.totp_secret = secret
            session.pop("totp_pending", None)
            _audit("totp_replaced" if replacing else "totp_enabled", user)
            db().commit()
            flash("Two-step sign-in now uses your new app" if replacing
                  else "Two-step sign-in is on", "success")
            return redirect(url_for("auth.account") if replacing else _after_setup(user))
    uri = security.totp_uri(secret, user.email, current_app.config["SERVICE_NAME"])
    return render_template("auth/totp_setup.html", form=form, secret=secret, uri=uri,
                           replacing=replacing,
                           title="Change the app for two-step sign-in" if replacing
                           else "Set up two-step sign-in"), status


def _after_setup(user: User) -> str:
    return url_for("admin.users") if user.role == "admin" else url_for("conversations.my_list")


@bp.route("/account/two-step/remove", methods=["GET", "POST"])
def totp_remove() -> Any:
    user = _me()
    if not user.totp_secret:
        return redirect(url_for("auth.account"))
    if user.role == "admin":  # administrators must keep it; they can change the app instead
        flash("Administrators must use two-step sign-in. You can change the app instead.",
              "important")
        return redirect(url_for("auth.totp_setup"))
    form = TotpRemoveForm()
    status = 200
    if form.validate_on_submit():
        if _confirmed(form, user):
            user.totp_secret = None
            user.totp_last_step = None
            _audit("totp_removed", user)
            db().commit()
            flash("Two-step sign-in is off", "success")
            return redirect(url_for("auth.account"))
        status = 429 if guard.too_many_message() in form.password.errors else 200
    return render_template("auth/totp_remove.html", form=form,
                           title="Turn off two-step sign-in"), status
