"""The one seam for encryption at rest: nothing else in rhc_app imports `cryptography`.

Every sealed value is AES-256-GCM with a random 96-bit nonce. The associated data binds the
ciphertext to its place ("table.column.row-id") and to its key id, so a ciphertext copied to
another row or column, or with one bit changed, fails to open. Each ciphertext carries the id of
the key that sealed it, so keys can be rotated: add a key, re-seal everything, drop the old key.

Look-ups (a child's case reference, a sign-in e-mail) use a keyed HMAC under a separate index
key, so equality search works without storing the value. The audit chain's MAC key is derived
from the index key (HKDF, its own label): like the index key it never rotates, so every event
stays verifiable after `rhc keys rotate`, and it is outside the database like every key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap

FORMAT_VERSION = 1


class CryptoError(Exception):
    """Base class: messages never contain plaintext or key material."""


class KeyMissing(CryptoError):
    pass


class DecryptionFailed(CryptoError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(repr=False)
class KeyRing:
    """The keys of one deployment. `repr` is hidden so keys never reach a log or traceback."""

    keys: dict[str, bytes]
    active: str
    index_key: bytes
    # How many events of the audit log predate its keying (0 for a ring made since); None
    # until `rhc init` has closed an older log. Kept here, outside the database, so nobody who
    # can only write the database can pass off forged unkeyed events as old ones.
    audit_unkeyed_events: int | None = 0
    _aead: dict[str, AESGCM] = field(default_factory=dict)
    _audit_key: bytes = field(default=b"", init=False)

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyMissing("the active key id is not in the key ring")
        for kid, key in self.keys.items():
            if len(key) != 32 or not kid.isascii() or not 0 < len(kid) < 64:
                raise KeyMissing("a key in the key ring is malformed")
            self._aead[kid] = AESGCM(key)
        if len(self.index_key) != 32:
            raise KeyMissing("the index key is malformed")
        unkeyed = self.audit_unkeyed_events
        if unkeyed is not None and (type(unkeyed) is not int or unkeyed < 0):
            raise KeyMissing("the key ring's audit_unkeyed_events is not a count")
        # Derived, not stored: existing key rings need no change, and the derived key could be
        # handed to an auditor without revealing the index key (HKDF is one-way).
        self._audit_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                               info=b"rhc audit chain v1").derive(self.index_key)

    def __repr__(self) -> str:
        return f"<KeyRing active={self.active!r} keys={sorted(self.keys)!r}>"

    # -- creating and storing -------------------------------------------------------------
    @classmethod
    def generate(cls) -> KeyRing:
        kid = "k" + secrets.token_hex(4)
        return cls({kid: AESGCM.generate_key(256)}, kid, secrets.token_bytes(32))

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        try:
            raw = json.loads(text)
            keys = {kid: base64.b64decode(v, validate=True) for kid, v in raw["keys"].items()}
            return cls(keys, raw["active"], base64.b64decode(raw["index_key"], validate=True),
                       raw.get("audit_unkeyed_events"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyMissing("the key ring is not valid (expected the JSON written by rhc init)") \
                from exc

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active,
                "keys": {kid: _b64(k) for kid, k in self.keys.items()},
                "index_key": _b64(self.index_key),
                **({} if self.audit_unkeyed_events is None
                   else {"audit_unkeyed_events": self.audit_unkeyed_events}),
            },
            indent=2,
        )

    @classmethod
    def load(cls, path: Path, env_value: str | None = None) -> KeyRing:
        """From the RHC_KEYS environment value if set, otherwise the key file."""
        if env_value:
            return cls.from_json(env_value)
        if not path.exists():
            raise KeyMissing(
                f"no encryption key found at {path}: run `rhc init` to create one, "
                "or set RHC_KEYS"
            )
        return cls.from_json(path.read_text(encoding="utf-8"))

    def save(self, path: Path) -> None:
        """Write atomically with mode 0600 from the start (never world-readable, even briefly)."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.to_json())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    # -- rotation -------------------------------------------------------------------------
    def with_new_active_key(self) -> KeyRing:
        kid = "k" + secrets.token_hex(4)
        keys = dict(self.keys)
        keys[kid] = AESGCM.generate_key(256)
        return KeyRing(keys, kid, self.index_key, self.audit_unkeyed_events)

    def without_key(self, kid: str) -> KeyRing:
        if kid == self.active:
            raise KeyMissing("the active key cannot be removed")
        if kid not in self.keys:
            raise KeyMissing(f"there is no key {kid!r} in the key ring")
        return KeyRing({k: v for k, v in self.keys.items() if k != kid}, self.active,
                       self.index_key, self.audit_unkeyed_events)

    # -- sealing --------------------------------------------------------------------------
    def seal(self, plaintext: str, context: str) -> bytes:
        kid = self.active.encode("ascii")
        nonce = secrets.token_bytes(12)
        ct = self._aead[self.active].encrypt(nonce, plaintext.encode("utf-8"),
                                             self._aad(context, kid))
        return bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + ct

    def open(self, blob: bytes, context: str) -> str:
        try:
            if blob[0] != FORMAT_VERSION:
                raise DecryptionFailed("unknown ciphertext format")
            n = blob[1]
            kid = blob[2 : 2 + n]
            nonce = blob[2 + n : 14 + n]
            aead = self._aead.get(kid.decode("ascii"))
            if aead is None:
                raise KeyMissing(f"a record was sealed with key {kid.decode('ascii')!r}, "
                                 "which is not in the key ring")
            return aead.decrypt(nonce, bytes(blob[14 + n :]), self._aad(context, kid)).decode()
        except (InvalidTag, IndexError, UnicodeDecodeError) as exc:
            raise DecryptionFailed(f"a sealed value failed to open ({context.split('.')[0]})") \
                from exc

    def key_id_of(self, blob: bytes) -> str:
        return bytes(blob[2 : 2 + blob[1]]).decode("ascii")

    @staticmethod
    def _aad(context: str, kid: bytes) -> bytes:
        return b"rhc|" + context.encode("utf-8") + b"|" + kid

    # -- look-ups -------------------------------------------------------------------------
    def index(self, purpose: str, value: str) -> str:
        """A keyed hash for equality look-ups; `purpose` separates domains (child_ref, email…)."""
        msg = purpose.encode() + b"\x00" + value.strip().casefold().encode("utf-8")
        return hmac.new(self.index_key, msg, hashlib.sha256).hexdigest()

    def digest(self, purpose: str, value: str) -> str:
        """A keyed hash of the exact text (no folding), to key what a process keeps about a
        value without keeping the value: separate from `index` by its prefix."""
        msg = b"digest\x00" + purpose.encode() + b"\x00" + value.encode("utf-8")
        return hmac.new(self.index_key, msg, hashlib.sha256).hexdigest()

    def pseudonym(self, scope: str, purpose: str, value: str) -> str:
        """A stable pseudonym for sharing: differs per organisation (scope) and from the index."""
        msg = b"pseudonym\x00" + scope.encode() + b"\x00" + purpose.encode() + b"\x00" + \
            value.strip().encode("utf-8")
        return hmac.new(self.index_key, msg, hashlib.sha256).hexdigest()[:20]

    # -- the audit chain ------------------------------------------------------------------
    def with_audit_unkeyed_events(self, count: int) -> KeyRing:
        """The same keys, recording that the audit log's first `count` events are unkeyed."""
        return KeyRing(dict(self.keys), self.active, self.index_key, count)

    def audit_mac(self, data: bytes) -> str:
        """HMAC-SHA-256 of one audit event's chained fields: only a key holder can extend or
        rewrite the chain (rhc_app/audit.py)."""
        return hmac.new(self._audit_key, data, hashlib.sha256).hexdigest()


# -- the tablet's offline queue -----------------------------------------------------------
# Each save a tablet cannot send is sealed there to its organisation's public key (P-256):
# a fresh AES-GCM key per item, wrapped (AES-KW) under a key derived by ECDH from a one-use
# key pair the tablet throws away, so the tablet can write its queue but never read it back.
OFFLINE_KDF_INFO = b"rhc offline queue v1"


def new_offline_keypair() -> tuple[str, bytes]:
    """An organisation's key pair: the private half as text to seal (PKCS#8, base64), and
    the public half as SPKI bytes, for the browser's WebCrypto `importKey("spki")`."""
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    spki = private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    return _b64(der), spki


def offline_item_aad(conversation_id: str, item_id: str) -> bytes:
    """Binds an item to its conversation and its own id: moved or replayed elsewhere, it fails."""
    return f"rhc-offline|{conversation_id}|{item_id}".encode()


def open_offline_item(private_key: str, tablet_key: bytes, wrapped_key: bytes, iv: bytes,
                      ciphertext: bytes, aad: bytes) -> str:
    """The plaintext of one queued item, or DecryptionFailed (no detail: nothing to learn)."""
    try:
        private = serialization.load_der_private_key(base64.b64decode(private_key), None)
        if not isinstance(private, ec.EllipticCurvePrivateKey):
            raise DecryptionFailed("the offline key is not a P-256 key")
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), tablet_key)
        shared = private.exchange(ec.ECDH(), peer)
        kek = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=OFFLINE_KDF_INFO).derive(shared)
        item_key = aes_key_unwrap(kek, wrapped_key)
        return AESGCM(item_key).decrypt(iv, ciphertext, aad).decode("utf-8")
    except (InvalidTag, InvalidUnwrap, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise DecryptionFailed("a queued item failed to open") from exc
