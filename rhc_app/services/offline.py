"""The tablet's offline queue: the public key a tablet seals its unsent saves to, and taking
in one queued item. Opening happens only in crypto.py, with the organisation's private key
(sealed under the key ring); what it holds goes through the same compare-and-swap save as an
autosave (web/conversations/offline_views.py), and its receipt is kept so a second send of
the same item changes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.crypto import CryptoError, offline_item_aad, open_offline_item
from rhc_app.security import audit
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import Conversation, OfflineKey, OfflineReceipt, Organisation, User

KINDS = ("canvas", "note")


@dataclass(frozen=True, repr=False)  # repr hidden: the ciphertext is of no use in a log
class QueuedItem:
    """One item as the tablet sends it: the sealed parts, and the plain routing."""

    item_id: str
    tablet_key: bytes  # the one-use ECDH public key (uncompressed point)
    wrapped_key: bytes  # the item's AES-GCM key, AES-KW wrapped
    iv: bytes
    ciphertext: bytes


def public_key(s: Session, organisation_id: str) -> bytes | None:
    key = s.get(OfflineKey, organisation_id)
    return None if key is None else key.public_key


def open_item(s: Session, user: User, conv: Conversation, item: QueuedItem) -> dict[str, Any]:
    """What the item holds: {"kind": "canvas", "fields": [[name, value], ...]} (the canvas
    form as it was) or {"kind": "note", "text": ..., "area": ...} (from the offline page).
    CaseworkError when it cannot be opened: no key, another conversation's item, altered."""
    key = s.get(OfflineKey, user.organisation_id)
    if key is None:
        raise CaseworkError("This organisation has no key for the offline queue")
    try:
        text = open_offline_item(key.private_key, item.tablet_key, item.wrapped_key, item.iv,
                                 item.ciphertext, offline_item_aad(conv.id, item.item_id))
        payload = json.loads(text)
    except (CryptoError, ValueError) as exc:
        raise CaseworkError("The kept item could not be opened") from exc
    if not isinstance(payload, dict) or payload.get("kind") not in KINDS:
        raise CaseworkError("The kept item could not be opened")
    return payload


def receipt(s: Session, item_id: str) -> OfflineReceipt | None:
    return s.get(OfflineReceipt, item_id)


def take_in(s: Session, user: User, conv: Conversation, item_id: str, outcome: str) -> None:
    """Acknowledge the item in the caller's transaction, with the save or draft it made."""
    s.add(OfflineReceipt(item_id=item_id, conversation_id=conv.id, user_id=user.id,
                         outcome=outcome))
    audit.record(s, "offline_item_received", user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id, detail=outcome)


def add_missing_keys(s: Session) -> int:
    """Key pairs for organisations made before the offline queue (new ones get theirs as they
    are created, store/models/offline.py)."""
    have = set(s.execute(select(OfflineKey.id)).scalars())
    count = 0
    for org in s.execute(select(Organisation)).scalars():
        if org.id not in have:
            s.add(OfflineKey.generate(org))
            audit.record(s, "offline_key_created", org_id=org.id)
            count += 1
    return count
