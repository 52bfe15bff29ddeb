"""Passwords (argon2id), the shared sign-in throttle, and the TOTP second factor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from rhc_app.security.password_policy import password_problem  # noqa: F401  (callers import it from here)
from rhc_app.store.db import utcnow
from rhc_app.store.models import ClientThrottle, SignInThrottle

_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_STANDARD = PasswordHasher()  # argon2id, library defaults
# Verifying against this when the e-mail is unknown keeps timing the same as for a real user.
_DUMMY_HASH = _STANDARD.hash("not-a-real-password-placeholder")


def hasher(fast: bool) -> PasswordHasher:
    return _FAST if fast else _STANDARD


def hash_password(password: str, fast: bool = False) -> str:
    return hasher(fast).hash(password)


def verify_password(stored: str | None, password: str, fast: bool = False) -> bool:
    try:
        return hasher(fast).verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass
class ThrottleState:
    locked: bool
    locked_until: datetime | None = None


Throttle = type[SignInThrottle] | type[ClientThrottle]


def check_throttle(db: Session, key: str, now: datetime | None = None,
                   model: Throttle = SignInThrottle) -> ThrottleState:
    """Is this e-mail (or, with model=ClientThrottle, this client address) locked out?"""
    now = now or utcnow()
    row = db.get(model, key)
    if row and row.locked_until and row.locked_until > now:
        return ThrottleState(True, row.locked_until)
    return ThrottleState(False)


def _row_for_update(db: Session, model: Throttle, key: str) -> SignInThrottle | ClientThrottle:
    """The throttle row, locked for this transaction; created first if missing, without an
    error when another process creates the same row at the same moment."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    key_column = model.__mapper__.primary_key[0].key
    db.execute(insert(model).values({key_column: key, "failures": 0}).on_conflict_do_nothing())
    row = db.get(model, key, with_for_update=True, populate_existing=True)
    if row is None:  # cannot happen: just inserted, or already there
        raise RuntimeError("throttle row missing")
    return row


def record_failure(db: Session, key: str, max_failures: int, lock_minutes: int,
                   now: datetime | None = None, model: Throttle = SignInThrottle) -> ThrottleState:
    """Count a failure in the database (shared by all workers); lock after too many."""
    now = now or utcnow()
    row = _row_for_update(db, model, key)
    window = timedelta(minutes=lock_minutes)
    if row.first_failure_at is None or now - row.first_failure_at > window:
        row.failures = 0
        row.first_failure_at = now
    row.failures += 1
    if row.failures >= max_failures:
        row.locked_until = now + window
        row.failures = 0
        row.first_failure_at = None
    return ThrottleState(bool(row.locked_until and row.locked_until > now), row.locked_until)


def clear_failures(db: Session, key: str, model: Throttle = SignInThrottle) -> None:
    row = db.get(model, key)
    if row is not None:
        db.delete(row)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_step(secret: str, code: str, after: int | None = None) -> int | None:
    """The time-step a code belongs to (this one or either neighbour), if it is right and
    newer than `after`, the last step already used: a code can never be replayed."""
    import hmac as _hmac
    import time

    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in (current - 1, current, current + 1):
        if _hmac.compare_digest(totp.generate_otp(step), code):
            return step if after is None or step > after else None
    return None


def totp_ok(secret: str, code: str) -> bool:
    return totp_step(secret, code) is not None


def totp_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)
