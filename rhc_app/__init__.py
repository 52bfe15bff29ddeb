"""rhc_app: Return Home Conversations."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.exceptions import HTTPException

from . import config as cfg
from .crypto import CryptoError, KeyMissing, KeyRing
from .domain.lifecycle import STATUS_COLOURS, STATUS_LABELS
from .extensions import Database, csrf, login_manager
from .private_files import NotPrivate, secure_instance, use_private_umask
from .sessions import DatabaseSessionInterface

# Views reachable without signing in; everything else is refused by default.
PUBLIC_ENDPOINTS = {"static", "auth.sign_in", "auth.signed_out", "health"}


class StartupError(Exception):
    """The app will not start: the message says why and what to do."""


def create_app(test_config: dict[str, Any] | None = None, *, require_keys: bool = True) -> Flask:
    instance = Path((test_config or {}).get("INSTANCE_PATH") or cfg.instance_path())
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True,
                static_url_path="/assets")
    app.config.update(cfg.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(cfg.from_environment())
    if test_config:
        app.config.update(test_config)
    keyring = _load_keyring(app, required=require_keys)
    if keyring is not None and not app.config.get("SECRET_KEY"):
        # Derived from the key ring, so every worker and machine signs CSRF tokens alike.
        app.config["SECRET_KEY"] = keyring.index("flask-secret-key", "v1")
    _check_config(app)
    _init_proxies(app)
    url = cfg.database_url(app.config, instance)
    # Everything this process creates (database, WAL, restored copies) is its user's alone.
    use_private_umask()
    try:
        secure_instance(instance, url)
    except NotPrivate as exc:
        raise StartupError(f"rhc_app will not start: {exc}") from exc
    database = Database(app, url, keyring)
    if keyring is not None and require_keys:
        try:
            _check_keys_fit_data(app, keyring)
        except StartupError:
            database.dispose()
            raise

    app.session_interface = DatabaseSessionInterface()
    _init_login(app)  # before CSRF: an expired session's post is kept, then sent to sign in
    csrf.init_app(app)
    _init_templates(app)
    WTFormsHelpers(app)
    _init_security_headers(app)
    _init_logging(app)

    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .children import bp as children_bp
    from .conversations import bp as conversations_bp

    for bp in (auth_bp, children_bp, conversations_bp, admin_bp):
        app.register_blueprint(bp)
    _register_optional_blueprints(app)

    @app.get("/healthz")
    def health() -> tuple[str, int]:
        return "ok", 200

    _init_errors(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _register_optional_blueprints(app: Flask) -> None:
    import importlib

    for name in ("documents", "reports"):
        try:
            module = importlib.import_module(f"rhc_app.{name}.views")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"rhc_app.{name}"):
                continue
            raise
        app.register_blueprint(module.bp)


def _check_config(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        # The cookie holds only a random session token, so this key signs nothing long-lived;
        # a per-process random value is safe because sessions live in the database.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    idle = app.config["SESSION_IDLE_MINUTES"]
    if not isinstance(idle, int | float) or idle <= 0:
        raise StartupError("RHC_SESSION_IDLE_MINUTES must be a positive number")
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # tied to the session's own lifetime instead
    app.config["WTF_CSRF_SSL_STRICT"] = bool(app.config["FORCE_HTTPS"])


def _init_proxies(app: Flask) -> None:
    """Read the client address from X-Forwarded-For only when proxies are configured: the
    per-client sign-in limit must not be fooled by a header any client can send."""
    trusted = app.config["TRUSTED_PROXIES"]
    if not isinstance(trusted, int) or isinstance(trusted, bool) or trusted < 0:
        raise StartupError("RHC_TRUSTED_PROXIES must be 0 or a positive whole number")
    if trusted:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted)  # type: ignore[method-assign]


def _load_keyring(app: Flask, required: bool) -> KeyRing | None:
    path = Path(app.instance_path) / "keys.json"
    try:
        return KeyRing.load(path, app.config.get("KEYS"))
    except KeyMissing as exc:
        if required:
            raise StartupError(f"rhc_app will not start: {exc}") from exc
        return None


def _check_keys_fit_data(app: Flask, keyring: KeyRing) -> None:
    from sqlalchemy import inspect

    from .models import KeyCheck

    if keyring.audit_unkeyed_events is None:
        raise StartupError("rhc_app will not start: the key ring does not record yet where the "
                           "keyed audit chain begins. Run `rhc init` once after upgrading.")
    database: Database = app.extensions["rhc_database"]
    if not inspect(database.engine).has_table("key_check"):
        raise StartupError("rhc_app will not start: the database has no tables yet. "
                           "Run `rhc init` first.")
    with database.factory() as s:
        check = s.get(KeyCheck, "canary")
        if check is None:
            raise StartupError("rhc_app will not start: the database has not been initialised "
                               "with this key ring. Run `rhc init`.")
        try:
            _ = check.value
        except CryptoError as exc:
            raise StartupError(
                "rhc_app will not start: the encryption key does not match the data already "
                "stored (wrong keys.json or RHC_KEYS). Nothing was written."
            ) from exc


def _init_login(app: Flask) -> None:
    from .models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None  # type: ignore[assignment]
    login_manager.session_protection = None  # server-side sessions and versions instead

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        from .extensions import db

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
    from .auth.views import remember_expired_post

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
        PackageLoader("rhc_app"),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from . import filters

    filters.register(app)


def _init_security_headers(app: Flask) -> None:
    @app.before_request
    def _nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"csp_nonce": lambda: g.get("csp_nonce", ""),
                "service_name": app.config["SERVICE_NAME"], "endpoints": app.view_functions,
                "status_labels": STATUS_LABELS, "status_colours": STATUS_COLOURS}

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


def _init_logging(app: Flask) -> None:
    # Only types and endpoints are logged; URLs carry random ids, and searches by name are
    # POSTed, so access logs never hold a name or reference.
    if not app.testing:
        logging.basicConfig(level=logging.INFO)
    # Alembic announces each plugin and migration step at INFO: every `rhc` command and every
    # gunicorn worker would print them on stderr, mixed into an operator's redirected output.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _init_errors(app: Flask) -> None:
    from .extensions import db

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
        app.logger.error("unhandled %s on %s", type(exc).__name__, request.endpoint)
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
