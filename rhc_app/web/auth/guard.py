"""The one lock every password or security-code check goes through (sign-in, change of
password, change of two-step sign-in): an e-mail address locked after too many failures, and
a client address locked after too many failures for any accounts, both kept in the database so
every worker process shares them.

The client address is `request.remote_addr`. Behind a proxy that is the proxy's address
unless the proxy sets X-Forwarded-For and RHC_TRUSTED_PROXIES says how many proxies to trust
(the app then reads it through werkzeug's ProxyFix)."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy.orm import Session

from rhc_app.security import passwords as security
from rhc_app.store.models import ClientThrottle
from rhc_app.web.extensions import database


def too_many_message() -> str:
    minutes = current_app.config["SIGN_IN_LOCK_MINUTES"]
    return f"Too many failed attempts. Try again in {minutes} minutes, or ask your administrator"


def client_index() -> str:
    """A keyed hash of the client's address: the address itself is never stored."""
    return database().keyring.index("client_address", request.remote_addr or "unknown")


def locked(s: Session, email_index: str) -> bool:
    return (security.check_throttle(s, email_index).locked
            or security.check_throttle(s, client_index(), model=ClientThrottle).locked)


def count_failure(s: Session, email_index: str) -> None:
    """One failed check, counted against the account and against the client (in this order
    everywhere, so two requests never wait on each other's rows)."""
    cfg = current_app.config
    security.record_failure(s, email_index, cfg["SIGN_IN_MAX_FAILURES"],
                            cfg["SIGN_IN_LOCK_MINUTES"])
    security.record_failure(s, client_index(), cfg["SIGN_IN_MAX_FAILURES_PER_CLIENT"],
                            cfg["SIGN_IN_LOCK_MINUTES"], model=ClientThrottle)
