"""The data model. Identifying and free-text values are `sealed` (see store/db.py); what stays
in plaintext is categorical or a time the reports and lists must query on.

* ``people.py``: organisations, user accounts, sign-in throttles.
* ``cases.py``: children, episodes, conversations, contact attempts, shares, drafts,
  amendments.
* ``audit.py``: web sessions, the audit log, the key check value.
* ``follow_up.py``: actions and referrals, and the sign-off history.
* ``decisions.py``: strategy meeting decisions, senior managers told of a long absence.
* ``closing.py``: offers closed with no further offer, and why.
* ``offline.py``: the organisations' keys for the tablets' offline queue, and its receipts.
* ``covering.py``: episodes a conversation covers besides its own.
* ``links.py``: the people and places index (keyed hashes only), for connections, and its
  version per organisation (store/links_version.py).
* ``figures.py``: the figures' version per organisation (store/figures_version.py).

Import every model from here (``from rhc_app.store.models import Child``): Alembic's
metadata and SEALED_MODELS need them all loaded.
"""

from __future__ import annotations

from rhc_app.store.db import Base
from rhc_app.store.models.audit import AuditEvent, KeyCheck, WebSession
from rhc_app.store.models.cases import (
    Amendment,
    Child,
    ContactAttempt,
    Conversation,
    ConversationShare,
    Draft,
    Episode,
)
from rhc_app.store.models.closing import OfferClosure
from rhc_app.store.models.covering import CoveredEpisode
from rhc_app.store.models.decisions import SeniorManagerNotice, StrategyDecision
from rhc_app.store.models.figures import FiguresVersion
from rhc_app.store.models.follow_up import FollowUpAction, SignOffEntry
from rhc_app.store.models.links import LinkIndexVersion, LinkToken
from rhc_app.store.models.offline import OfflineKey, OfflineReceipt
from rhc_app.store.models.people import ROLES, ClientThrottle, Organisation, SignInThrottle, User

__all__ = ["ROLES", "SEALED_MODELS", "Amendment", "AuditEvent", "Base", "Child",
           "ClientThrottle", "ContactAttempt", "Conversation", "ConversationShare",
           "CoveredEpisode", "Draft", "Episode", "FiguresVersion", "FollowUpAction", "KeyCheck",
           "LinkIndexVersion", "LinkToken", "OfferClosure", "OfflineKey", "OfflineReceipt", "Organisation",
           "SeniorManagerNotice", "SignInThrottle", "SignOffEntry", "StrategyDecision", "User", "WebSession"]

SEALED_MODELS: tuple[type[Base], ...] = (User, KeyCheck, Child, Episode, Conversation,
                                         ContactAttempt, Draft, Amendment, FollowUpAction,
                                         SignOffEntry, StrategyDecision, SeniorManagerNotice,
                                         OfferClosure, OfflineKey, CoveredEpisode)

# Every session that writes a figure's data replaces its organisation's figures version.
from rhc_app.store import figures_version as _figures_version  # noqa: E402,F401
from rhc_app.store import links_version as _links_version  # noqa: E402,F401
