"""The connections list, one connection and the hotspots' counts, worked out once and kept
until the organisation's people and places index changes.

Each answer is kept in this process with the organisation's link index version it was
worked out at (store/links_version.py: replaced in the same transaction as every write to
the index). It is reused only while the version this request reads from the database is the
same, so every app process answers as if it had counted again. The version is read before
the counting, in the same transaction: what is kept is never older than its version.

The periods are arguments (the views turn "the last 90 days" into dates), so nothing kept
goes stale as time passes. Only keyed hashes, ids, counts and dates are kept: never a name,
a description or anything else opened from a record (the hotspots' labels are read again for
each page).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from rhc_app.services import connections, hotspots
from rhc_app.services.kept_answers import KeptAnswers
from rhc_app.store import links_version

T = TypeVar("T")
KEPT = KeptAnswers(links_version.VERSION, 128)  # periods and pages: a few MB at most
forget = KEPT.forget


def kept(s: Session, org_id: str, key: tuple[Hashable, ...], count: Callable[[], T]) -> T:
    """`count()`, or what it gave at the organisation's current link index version."""
    return KEPT.get(s, org_id, key, count)


def connection_page(s: Session, org_id: str, start: datetime, end: datetime, first: int = 0,
                    size: int = 50, listed: int = 10
                    ) -> tuple[int, list[connections.Listed]]:
    return kept(s, org_id, ("page", start, end, first, size, listed),
                lambda: connections.connection_page(s, org_id, start, end, first, size, listed))


def connection(s: Session, org_id: str, token: str, start: datetime, end: datetime
               ) -> connections.Connection | None:
    return kept(s, org_id, ("one", token, start, end),
                lambda: connections.connection(s, org_id, token, start, end))


def hotspots_counted(s: Session, org_id: str, start: datetime, end: datetime, limit: int = 20
                     ) -> list[hotspots.Hotspot]:
    """The hotspots with their counts and no labels: a copy each time, for the caller to
    label."""
    found = kept(s, org_id, ("hotspots", start, end, limit),
                 lambda: hotspots.counted(s, org_id, start, end, limit))
    return [hotspots.Hotspot(**vars(h)) for h in found]
