"""The web layer: blueprints (each with its views, forms and templates), the request hooks
(default-deny sign-in, forms only, security headers) and the error pages.

`init_app` binds it to the app that `rhc_app.create_app` configured."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.exceptions import HTTPException

from rhc_app.domain import vocabulary
from rhc_app.domain.lifecycle import STATUS_COLOURS
from rhc_app.web import request_log, transfer
from rhc_app.web.extensions import csrf, database, login_manager
from rhc_app.web.request_log import request_id, where
from rhc_app.web.sessions import DatabaseSessionInterface

# Views reachable without signing in; everything else is refused by default.
PUBLIC_ENDPOINTS = {"static", "auth.sign_in", "auth.signed_out", "health", "alive",
                    "conversations.service_worker", "conversations.offline_page"}


def init_app(app: Flask) -> None:
    app.session_interface = DatabaseSessionInterface()
    request_log.init_app(app)  # first: its hooks time and log every request, even refused ones
    _init_login(app)  # before CSRF: an expired session's post is kept, then sent to sign in
    csrf.init_app(app)
    _init_templates(app)
    WTFormsHelpers(app)
    _init_security_headers(app)
    transfer.init_app(app)  # fingerprinted asset URLs, long lifetimes, gzip

    from rhc_app.web.actions import bp as actions_bp
    from rhc_app.web.admin import bp as admin_bp
    from rhc_app.web.auth import bp as auth_bp
    from rhc_app.web.children import bp as children_bp
    from rhc_app.web.conversations import bp as conversations_bp
    from rhc_app.web.documents.views import bp as documents_bp
    from rhc_app.web.links import bp as links_bp
    from rhc_app.web.oversight import bp as oversight_bp
    from rhc_app.web.reports.views import bp as reports_bp

    for bp in (auth_bp, children_bp, conversations_bp, admin_bp, documents_bp, reports_bp,
               actions_bp, oversight_bp, links_bp):
        app.register_blueprint(bp)

    @app.get("/livez")
    def alive() -> tuple[str, int]:
        """The process answers (and the benchmark's ceiling): touches nothing else."""
        return "ok", 200

    @app.get("/healthz")
    def health() -> tuple[str, int]:
        """Whether the database answers too: for the load balancer."""
        from sqlalchemy import text

        engine = database().read_engine or database().engine  # SQLite: never the write lock
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure to reach it is "not healthy", never a 500 page
            app.logger.warning("database not answering", extra={"error": type(exc).__name__})
            return "database not answering", 503
        return "ok", 200

    _init_errors(app)


def _init_login(app: Flask) -> None:
    from rhc_app.store.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None  # type: ignore[assignment]
    login_manager.session_protection = None  # server-side sessions and versions instead

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        from rhc_app.web.extensions import db

        user = db().get(User, user_id)
        if user is None or not user.active:
            return None
        if session.get("_user_version") != user.session_version:
            return None
        return user

    @app.before_request
    def forms_only() -> Any:
        # Every form here posts form fields: a JSON body, or a file where no upload is
        # expected, would reach WTForms as values of the wrong type.
        if request.method == "POST" and (
                request.is_json or (request.files and request.endpoint != "reports.upload")):
            for upload in request.files.values():
                upload.close()  # spooled to a temporary file: release it now
            return render_template("errors/http.html", code=400,
                                   title=_titles[400]), 400
        return None

    @app.before_request
    def default_deny() -> Any:
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return _send_to_sign_in()
        if current_user.must_change_password and request.endpoint not in (
            "auth.change_password", "auth.sign_out"
        ):
            return redirect(url_for("auth.change_password"))
        if (current_user.role == "admin" or current_user.two_step_required) \
                and not current_user.totp_secret and request.endpoint \
                not in ("auth.totp_setup", "auth.sign_out", "auth.change_password"):
            # Required for admins, and for accounts an admin created or reset (invitations.py)
            return redirect(url_for("auth.totp_setup"))
        return None


def _send_to_sign_in() -> Any:
    from rhc_app.web.auth.views import remember_expired_post

    kept = remember_expired_post()
    if getattr(session, "ended", None) in ("idle", "absolute"):
        flash("You were signed out because the session timed out. "
              + ("What you typed has been kept: it will be there when you sign in. "
                 if kept else "") + "Sign in again to carry on.")
    if request.headers.get("X-Requested-With") == "fetch":
        return jsonify(status="signed_out", kept=kept), 401
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    if request.method != "GET" and request.view_args and "conversation_id" in request.view_args:
        target = url_for("conversations.canvas",
                         conversation_id=request.view_args["conversation_id"])
    return redirect(url_for("auth.sign_in", next=target))


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        PackageLoader("rhc_app.web"),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from rhc_app.web import components, filters

    filters.register(app)
    components.register(app.jinja_env)


def _init_security_headers(app: Flask) -> None:
    @app.before_request
    def _nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"csp_nonce": lambda: g.get("csp_nonce", ""),
                "service_name": app.config["SERVICE_NAME"], "endpoints": app.view_functions,
                "status_labels": vocabulary.STATUSES, "status_colours": STATUS_COLOURS,
                "vocabulary": vocabulary}

    @app.after_request
    def _headers(resp: Any) -> Any:
        nonce = g.get("csp_nonce", "")
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' 'nonce-" + nonce + "'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        )
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config["FORCE_HTTPS"]:
            resp.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            # Shared tablets: after sign-out the back button must show nothing.
            resp.headers["Cache-Control"] = "no-store"
            resp.headers["Pragma"] = "no-cache"
        return resp


def _init_errors(app: Flask) -> None:
    from rhc_app.web.extensions import db

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        return render_template("errors/http.html", code=code, title=_titles.get(code,
                               "Sorry, there is a problem")), code

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> Any:
        db().rollback()
        # The type only: exception messages can carry values from the request.
        # Never exc_info: any handler's default format would print the message.
        app.logger.error("unhandled %s", type(exc).__name__, extra={
            "request_id": request_id(), "endpoint": request.endpoint,
            "error": type(exc).__name__, "where": where(exc.__traceback__)})
        return render_template("errors/http.html", code=500,
                               title="Sorry, there is a problem with the service"), 500


_titles = {
    400: "Sorry, that request could not be understood",
    404: "Page not found",
    403: "You cannot do that",
    405: "Page not found",
    413: "That file or form is too large",
    429: "Too many attempts",
}
