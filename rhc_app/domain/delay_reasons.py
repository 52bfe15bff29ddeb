"""Why a conversation came late, and whether it was: the organisation's list of reasons and
the rule for when one must be given.

A conversation is late when it was offered, or held, more than 72 hours after the child was
found (the one clock of `uk_time`). A service learns where its time goes only if every late
offer or hold says why, so the worker is asked at the moment the late time is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from rhc_app.domain import uk_time
from rhc_app.domain.vocabulary import LATE_REASON_OTHER, LATE_REASONS

#: The longest reason an organisation may add to its list, and how many it may have.
LABEL_MAX, LIST_MAX = 80, 20


def code_of(label: str) -> str:
    """A stable code for a label: "Notification arrived late" -> notification_arrived_late.
    The starting list's codes are exactly this, so an organisation's copy of it keeps them."""
    return re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")[:40]


def reasons_for(labels: Iterable[str] | None) -> dict[str, str]:
    """code -> label for one organisation: its own list (from its settings) or, when it has
    none, the starting list; other (with a note) always last, since not every delay fits a list."""
    own = [" ".join(label.split()) for label in (labels or ())]
    chosen = {code_of(label): label for label in own if code_of(label)} if own \
        else dict(LATE_REASONS)
    chosen.pop("other", None)
    return {**chosen, **LATE_REASON_OTHER}


def is_late(found_at: datetime | None, at: datetime | None) -> bool:
    """True when ``at`` (an offer or a hold) is more than 72 hours after the child was found.
    Not knowing when the child was found is not lateness: there is no clock to be late on."""
    if found_at is None or at is None:
        return False
    return uk_time.within_timescale(found_at, at) is False


def reason_problem(late: bool, code: str | None, note: str | None, allowed: Iterable[str],
                   what: str = "held") -> str | None:
    """What is wrong with the reason given for a late offer or hold, or None.

    Asked for only when it is late; the other reason needs a note saying what it was."""
    if code and code not in set(allowed):
        return "Select a reason from the list"
    if not late:
        return None
    if not code:
        return f"Select why the conversation was {what} more than 72 hours after the child " \
               "was found"
    if code == "other" and not (note or "").strip():
        return "Enter what the other reason was"
    return None
