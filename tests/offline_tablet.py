"""What a tablet's offline.js does to queue one save, in Python, for tests without a browser:
ECDH P-256 with a one-use key, HKDF-SHA-256, AES-KW around a fresh AES-GCM key."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

INFO = b"rhc offline queue v1"


def seal_item(spki: bytes, conversation_id: str, payload: dict[str, Any],
              item_id: str | None = None) -> dict[str, str]:
    """The form fields the tablet posts, minus csrf_token, user and base_version."""
    item_id = item_id or str(uuid.uuid4())
    server = serialization.load_der_public_key(spki)
    assert isinstance(server, ec.EllipticCurvePublicKey)
    mine = ec.generate_private_key(ec.SECP256R1())
    kek = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        mine.exchange(ec.ECDH(), server))
    key = AESGCM.generate_key(256)
    iv = uuid.uuid4().bytes[:12]
    aad = f"rhc-offline|{conversation_id}|{item_id}".encode()
    data = AESGCM(key).encrypt(iv, json.dumps(payload).encode(), aad)
    tablet_key = mine.public_key().public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return {"item": item_id, "tablet_key": b64(tablet_key),
            "wrapped_key": b64(aes_key_wrap(kek, key)), "iv": b64(iv), "data": b64(data)}


def canvas_fields(**areas: str) -> list[list[str]]:
    """The canvas form as offline.js copies it (no token, no version, no action)."""
    fields = [["person-count", "0"], ["place-count", "0"], ["note-count", "0"]]
    return fields + [[f"area-{k}", v] for k, v in areas.items()]
