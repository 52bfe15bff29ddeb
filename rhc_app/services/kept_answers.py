"""Answers counted once and kept in this process under an organisation's version
(store/org_version.py): reused only while the version this request reads from the database
is the one they were counted at, so every app process answers as if it had counted again.
The version is read before the counting, in the same transaction: what is kept is never
older than the version it is kept under. kept_figures and kept_links each keep their own."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from rhc_app.store.org_version import OrgVersion

T = TypeVar("T")


class KeptAnswers:
    """At most `size` answers, the least recently counted dropped first."""

    def __init__(self, version: OrgVersion, size: int) -> None:
        self.version = version
        self.size = size
        self.answers: OrderedDict[tuple[Hashable, ...], tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, s: Session, org_id: str, key: tuple[Hashable, ...],
            count: Callable[[], T]) -> T:
        """`count()`, or what it gave at this organisation's current version. Callers must
        not change what they are given: the next request is given the same object."""
        version = self.version.read(s, org_id)  # flushes this session's changes first
        if self.version.changed_here(s, org_id):
            return count()  # its own changes, not yet committed: counted for it alone
        full = (org_id, *key)
        with self._lock:
            hit = self.answers.get(full)
        if hit is not None and version is not None and hit[0] == version:
            return hit[1]  # type: ignore[no-any-return]
        value = count()
        if version is not None:
            with self._lock:
                self.answers[full] = (version, value)
                self.answers.move_to_end(full)
                while len(self.answers) > self.size:
                    self.answers.popitem(last=False)
        return value

    def forget(self) -> None:
        """Drop everything kept (tests that compare with a fresh count)."""
        with self._lock:
            self.answers.clear()
