"""Settings: defaults, then the instance folder's config.py, then RHC_-prefixed environment
variables, then (in tests) a dict. Start-up fails fast on settings that cannot work."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: SQLite file rhc.sqlite3 in the instance folder
    "SESSION_IDLE_MINUTES": 15,
    "SESSION_ABSOLUTE_HOURS": 12,
    "SESSION_COOKIE_SECURE": True,
    "SIGN_IN_MAX_FAILURES": 5,
    "SIGN_IN_LOCK_MINUTES": 15,
    # Failures from one client address (any accounts) before it is locked; an office behind
    # one address shares it, so well above what its people mistype in a quarter of an hour.
    "SIGN_IN_MAX_FAILURES_PER_CLIENT": 30,
    # Proxies in front that set X-Forwarded-For; 0 trusts none (the address is the peer's).
    "TRUSTED_PROXIES": 0,
    "PASSWORD_MIN_LENGTH": 12,
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    "FORCE_HTTPS": False,
    "SERVICE_NAME": "Return home conversations",
    "KEYS": None,  # the key ring JSON; normally read from instance/keys.json
    "ARGON2_FAST": False,  # tests only: cheap hashing parameters
}

# Settings a deployment may set through RHC_<NAME>; values are parsed as JSON where they can be.
ENV_SETTINGS = tuple(DEFAULTS) + ("SECRET_KEY",)


def instance_path() -> Path:
    env = os.environ.get("RHC_INSTANCE_PATH")
    if env:
        return Path(env).resolve()
    return (Path(__file__).resolve().parent.parent / "instance").resolve()


def _parse(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def from_environment() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ENV_SETTINGS:
        raw = os.environ.get(f"RHC_{name}")
        if raw is not None and raw != "":
            out[name] = raw if name in ("KEYS", "DATABASE_URL", "SECRET_KEY") else _parse(raw)
    return out


def database_url(config: dict[str, Any], instance: Path) -> str:
    url = config.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{instance / 'rhc.sqlite3'}"
