"""rhc_app: Return Home Conversations."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from rhc_app import config as cfg
from rhc_app.crypto import CryptoError, KeyMissing, KeyRing
from rhc_app.store.database import Database
from rhc_app.store.files import NotPrivate, secure_instance, use_private_umask
from rhc_app.web.extensions import init_database


class StartupError(Exception):
    """The app will not start: the message says why and what to do."""


def create_app(test_config: dict[str, Any] | None = None, *, require_keys: bool = True,
               log_as_json: bool = True) -> Flask:
    instance = Path((test_config or {}).get("INSTANCE_PATH") or cfg.instance_path())
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True,
                static_folder="web/static", static_url_path="/assets")
    app.config.update(cfg.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(cfg.from_environment())
    if test_config:
        app.config.update(test_config)
    _init_logging(app, log_as_json)
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
    database = Database(url, keyring)
    init_database(app, database)
    if keyring is not None and require_keys:
        try:
            _check_keys_fit_data(app, keyring)
        except StartupError:
            database.dispose()
            raise

    from rhc_app import web

    web.init_app(app)

    from rhc_app.cli import register_commands

    register_commands(app)
    return app


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

    from rhc_app.store.models import KeyCheck

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


def _init_logging(app: Flask, as_json: bool) -> None:
    # One JSON object a line for a server (web/request_log.py says what a line may hold);
    # plain lines on stderr for an operator's `rhc` command. Tests read records themselves.
    if not app.testing and not any(getattr(h, "rhc_app", False)
                                   for h in logging.getLogger().handlers):
        from rhc_app.web.request_log import configure

        configure(as_json=as_json).rhc_app = True  # type: ignore[attr-defined]
    # Alembic announces each plugin and migration step at INFO: every `rhc` command and every
    # gunicorn worker would print them on stderr, mixed into an operator's redirected output.
    logging.getLogger("alembic").setLevel(logging.WARNING)
