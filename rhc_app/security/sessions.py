"""The server-side session rows, without Flask: when a row has expired, removing expired rows,
and ending every session of a user (sign-out everywhere on a password change, reset or
disabling). The Flask session interface that reads and writes them is `web/sessions.py`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from rhc_app.store.models import WebSession


def expired_before(now: datetime, idle_minutes: float, absolute_hours: float
                   ) -> tuple[datetime, datetime]:
    """Rows last seen before the first, or created before the second, have expired."""
    return now - timedelta(minutes=idle_minutes), now - timedelta(hours=absolute_hours)


def purge_expired(db: Session, now: datetime, idle_minutes: float, absolute_hours: float,
                  limit: int | None = None) -> int:
    """Delete expired rows (at most `limit`); the caller commits. Returns how many."""
    idle, absolute = expired_before(now, idle_minutes, absolute_hours)
    query = select(WebSession.token_hash).where(
        or_(WebSession.last_seen_at < idle, WebSession.created_at < absolute))
    if limit is not None:
        query = query.limit(limit)
    hashes = list(db.execute(query).scalars())
    for i in range(0, len(hashes), 500):  # bounded IN lists
        db.execute(delete(WebSession).where(WebSession.token_hash.in_(hashes[i:i + 500])))
    return len(hashes)


def end_all_sessions(db: Session, user_id: str) -> None:
    db.execute(delete(WebSession).where(WebSession.user_id == user_id))
