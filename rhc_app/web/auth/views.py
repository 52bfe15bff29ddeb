"""Sign in, sign out, password change and the TOTP second factor."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from rhc_app.security import audit
from rhc_app.security import passwords as security
from rhc_app.security.sessions import end_all_sessions
from rhc_app.store.models import User
from rhc_app.web.auth import bp, guard
from rhc_app.web.auth.forms import ChangePasswordForm, SignInForm
from rhc_app.web.extensions import database, db

GENERIC_FAILURE = "Email address, password or security code is not correct"


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect to another host after sign-in."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None  # browsers read "/\\host" as "//host"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _home() -> str:
    if current_user.role == "admin":
        return url_for("admin.users")
    return url_for("conversations.my_list")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(_home())
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        result = _attempt(form)
        if isinstance(result, User):
            return _complete_sign_in(result)
        form.password.errors.append(result)
        status = 429 if "Too many" in result else 401
    return render_template("auth/sign_in.html", form=form, title="Sign in"), status


def _attempt(form: SignInForm) -> User | str:
    s = db()
    email_index = database().keyring.index("email", form.email.data)
    if guard.locked(s, email_index):
        audit.record(s, "sign_in_locked")
        s.commit()
        return guard.too_many_message()
    user = s.execute(select(User).where(User.email_index == email_index)).scalar_one_or_none()
    ok = security.verify_password(user.password_hash if user else None, form.password.data,
                                  fast=current_app.config["ARGON2_FAST"])
    if ok and user is not None and user.active:
        if user.totp_secret:
            # A missing code is a failure like a wrong one, with the same message: the page
            # must not confirm that the password was right.
            step = security.totp_step(user.totp_secret, form.code.data or "", user.totp_last_step)
            ok = step is not None
            if ok:
                user.totp_last_step = step
        if ok:
            security.clear_failures(s, email_index)
            return user
    guard.count_failure(s, email_index)
    audit.record(s, "sign_in_failed", user_id=user.id if user else None,
                 org_id=user.organisation_id if user else None)
    s.commit()
    return GENERIC_FAILURE


def _complete_sign_in(user: User) -> Any:
    s = db()
    next_url = _safe_next(request.args.get("next"))
    session.clear()
    session.regenerate = True  # type: ignore[attr-defined]  # a new session id at sign-in
    login_user(user, remember=False)
    session["_user_version"] = user.session_version
    audit.record(s, "sign_in", user_id=user.id, org_id=user.organisation_id)
    s.commit()
    return redirect(next_url or _home())


@bp.post("/sign-out")
def sign_out() -> Any:
    s = db()
    audit.record(s, "sign_out", user_id=current_user.id, org_id=current_user.organisation_id)
    s.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.signed_out"))


@bp.get("/signed-out")
def signed_out() -> Any:
    return render_template("auth/signed_out.html", title="You have signed out")


@bp.get("/account")
def account() -> Any:
    return render_template("auth/account.html", title="Your account")


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> Any:
    form = ChangePasswordForm()
    cfg = current_app.config
    status = 200
    if form.validate_on_submit():
        user: User = current_user._get_current_object()  # type: ignore[attr-defined]
        if (refusal := _check_current_password(user, form.current.data)) is not None:
            form.current.errors.append(refusal)
            status = 429 if refusal == guard.too_many_message() else 200
        elif problem := security.password_problem(form.new.data, cfg["PASSWORD_MIN_LENGTH"],
                                                   (user.name or "", user.email or "")):
            form.new.errors.append(problem)
        elif form.new.data == form.current.data:
            form.new.errors.append("New password must be different from your current password")
        else:
            s = db()
            security.clear_failures(s, user.email_index)
            user.password_hash = security.hash_password(form.new.data, fast=cfg["ARGON2_FAST"])
            user.must_change_password = False
            user.session_version += 1  # every other session of this user ends now
            end_all_sessions(s, user.id)
            audit.record(s, "password_changed", user_id=user.id, org_id=user.organisation_id,
                         record_type="user", record_id=user.id)
            s.commit()
            session.clear()
            session.regenerate = True  # type: ignore[attr-defined]
            login_user(user, remember=False)
            session["_user_version"] = user.session_version
            flash("Your password has been changed", "success")
            if (user.role == "admin" or user.two_step_required) and not user.totp_secret:
                return redirect(url_for("auth.totp_setup"))
            return redirect(_home())
    return render_template("auth/change_password.html", form=form,
                           title="Change your password"), status


def _check_current_password(user: User, password: str) -> str | None:
    """Why the current password is refused, or None: counted in the sign-in lock, so a
    session left open cannot be used to guess the password."""
    s = db()
    if guard.locked(s, user.email_index):
        audit.record(s, "password_change_locked", user_id=user.id, org_id=user.organisation_id,
                     record_type="user", record_id=user.id)
        s.commit()
        return guard.too_many_message()
    if security.verify_password(user.password_hash, password,
                                fast=current_app.config["ARGON2_FAST"]):
        return None
    guard.count_failure(s, user.email_index)
    audit.record(s, "password_change_failed", user_id=user.id, org_id=user.organisation_id,
                 record_type="user", record_id=user.id)
    s.commit()
    return "Current password is not correct"


def csrf_token_matches(posted: str | None, raw: str | None) -> bool:
    """Does a posted (signed) CSRF token belong to the session whose raw token is `raw`?"""
    if not posted or not raw:
        return False
    try:
        value = URLSafeTimedSerializer(current_app.secret_key, salt="wtf-csrf-token").loads(posted)
    except BadData:
        return False
    return isinstance(value, str) and hmac.compare_digest(value, raw)


def remember_expired_post() -> bool:
    """A form sent just after the session expired: keep what was typed as a draft for that
    user, so it is restored after signing in again. Only when the post carries the expired
    session's own CSRF token, so nobody can plant a draft for someone else."""
    if request.method != "POST" or not getattr(session, "expired_user_id", None):
        return False
    if not csrf_token_matches(request.form.get("csrf_token"),
                              getattr(session, "expired_csrf", None)):
        return False
    from rhc_app.web.conversations.rescue import keep_expired_post

    return keep_expired_post(session.expired_user_id, request)  # type: ignore[attr-defined]
