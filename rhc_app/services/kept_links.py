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

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from rhc_app.services import connections, hotspots
from rhc_app.store import links_version

T = TypeVar("T")
MAX_KEPT = 128  # periods and pages per organisation: a few MB at most
_kept: OrderedDict[tuple[Hashable, ...], tuple[int, Any]] = OrderedDict()
_lock = threading.Lock()


def kept(s: Session, org_id: str, key: tuple[Hashable, ...], count: Callable[[], T]) -> T:
    """`count()`, or what it gave at this organisation's current index version. Callers must
    not change what they are given: the next request is given the same object."""
    version = links_version.read(s, org_id)
    if links_version.changed_here(s, org_id):
        return count()  # its own index writes, not yet committed: counted for it alone
    full = (org_id, *key)
    with _lock:
        hit = _kept.get(full)
    if hit is not None and version is not None and hit[0] == version:
        return hit[1]  # type: ignore[no-any-return]
    value = count()
    if version is not None:
        with _lock:
            _kept[full] = (version, value)
            _kept.move_to_end(full)
            while len(_kept) > MAX_KEPT:
                _kept.popitem(last=False)
    return value


def forget() -> None:
    """Drop everything kept (tests that compare with a fresh count)."""
    with _lock:
        _kept.clear()


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
