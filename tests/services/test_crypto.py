"""The encryption seam: AES-GCM sealing bound to its place and key id, rotation, the key file,
keyed look-ups, and sealed model fields that cannot be moved between rows."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import select, text, update

from rhc_app.crypto import CryptoError, DecryptionFailed, KeyMissing, KeyRing
from rhc_app.store.models import Child, Episode
from tests.conftest import make_case

CTX = "child.name.0123456789abcdef0123456789abcdef"
OTHER_CTX = "child.name.fedcba9876543210fedcba9876543210"


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.generate()


def test_seal_open_round_trip(ring):
    for value in ("Juniper Testperson", "", "émoji ✓ and ünïcode", "x" * 10_000):
        blob = ring.seal(value, CTX)
        assert isinstance(blob, bytes)
        assert ring.open(blob, CTX) == value


def test_seal_is_randomised(ring):
    a, b = ring.seal("same value", CTX), ring.seal("same value", CTX)
    assert a != b  # a fresh nonce each time: equal plaintexts are not visible as equal
    assert ring.open(a, CTX) == ring.open(b, CTX) == "same value"


def test_ciphertext_does_not_contain_plaintext(ring):
    blob = ring.seal("Juniper Testperson", CTX)
    assert b"Juniper" not in blob
    assert b"Testperson" not in blob


def test_other_context_fails(ring):
    blob = ring.seal("Juniper Testperson", CTX)
    with pytest.raises(DecryptionFailed):
        ring.open(blob, OTHER_CTX)  # another row id
    with pytest.raises(DecryptionFailed):
        ring.open(blob, "child.case_reference.0123456789abcdef0123456789abcdef")  # another column


def test_every_flipped_bit_fails(ring):
    blob = ring.seal("Juniper Testperson", CTX)
    header = 2 + blob[1]
    # Every bit of the nonce, the ciphertext and the tag is covered.
    for i in range(header, len(blob)):
        for bit in range(8):
            tampered = bytearray(blob)
            tampered[i] ^= 1 << bit
            with pytest.raises(DecryptionFailed):
                ring.open(bytes(tampered), CTX)


def test_flipped_format_byte_and_truncation_fail(ring):
    blob = ring.seal("Juniper Testperson", CTX)
    tampered = bytearray(blob)
    tampered[0] ^= 0x01
    with pytest.raises(DecryptionFailed):
        ring.open(bytes(tampered), CTX)
    with pytest.raises(DecryptionFailed):
        ring.open(blob[:-1], CTX)
    with pytest.raises(CryptoError):  # cut inside the key id: refused, never a crash
        ring.open(blob[:5], CTX)
    for i in range(1, 2 + blob[1]):  # the length and key-id bytes
        tampered = bytearray(blob)
        tampered[i] ^= 0x01
        with pytest.raises(CryptoError):
            ring.open(bytes(tampered), CTX)


def test_key_id_is_carried(ring):
    blob = ring.seal("value", CTX)
    assert ring.key_id_of(blob) == ring.active
    assert ring.active.encode("ascii") in blob[:2 + len(ring.active)]


def test_rotation_keeps_old_values_readable(ring):
    old_blob = ring.seal("sealed before rotation", CTX)
    rotated = ring.with_new_active_key()
    assert rotated.active != ring.active
    assert set(rotated.keys) == {ring.active, rotated.active}
    assert rotated.index_key == ring.index_key
    assert rotated.open(old_blob, CTX) == "sealed before rotation"
    new_blob = rotated.seal("sealed after rotation", CTX)
    assert rotated.key_id_of(new_blob) == rotated.active
    # The old ring does not know the new key: a clear KeyMissing, never plaintext.
    with pytest.raises(KeyMissing):
        ring.open(new_blob, CTX)


def test_without_key(ring):
    rotated = ring.with_new_active_key()
    with pytest.raises(KeyMissing, match="active"):
        rotated.without_key(rotated.active)
    with pytest.raises(KeyMissing):
        rotated.without_key("k-not-there")
    smaller = rotated.without_key(ring.active)
    assert set(smaller.keys) == {rotated.active}
    old_blob = ring.seal("old", CTX)
    with pytest.raises(KeyMissing):
        smaller.open(old_blob, CTX)


def test_repr_hides_keys(ring):
    shown = repr(ring) + str(ring)
    assert ring.active in shown
    import base64

    for key in [*ring.keys.values(), ring.index_key]:
        assert base64.b64encode(key).decode() not in shown
        assert key.hex() not in shown
        assert repr(key) not in shown


def test_save_mode_0600_and_load_round_trip(tmp_path, ring):
    old = os.umask(0o000)  # even with a permissive umask
    try:
        path = tmp_path / "sub" / "keys.json"
        ring.save(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.with_suffix(".tmp").exists()
    loaded = KeyRing.load(path)
    assert loaded.active == ring.active
    assert loaded.open(ring.seal("v", CTX), CTX) == "v"


def test_load_missing_or_malformed(tmp_path):
    with pytest.raises(KeyMissing, match="rhc init"):
        KeyRing.load(tmp_path / "absent.json")
    bad = tmp_path / "keys.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(KeyMissing):
        KeyRing.load(bad)


def test_index_stable_and_separated_by_purpose(ring):
    a = ring.index("child_ref", "NM-1001")
    assert a == ring.index("child_ref", "NM-1001")
    assert a == ring.index("child_ref", "  nm-1001 ")  # normalised: trimmed, case-folded
    assert a != ring.index("email", "NM-1001")
    assert a != ring.index("child_ref", "NM-1002")
    assert "NM-1001" not in a and "nm-1001" not in a
    assert a != KeyRing.generate().index("child_ref", "NM-1001")  # keyed
    assert ring.with_new_active_key().index("child_ref", "NM-1001") == a  # survives rotation


# -- at the model level -------------------------------------------------------------------
def test_name_copied_to_another_row_fails_to_open(world, db):
    worker = world.user("north", "worker")
    first = make_case(db, worker, name="Juniper Testperson").child
    second = make_case(db, worker, name="Marlow Examplechild").child
    db.execute(update(Child).where(Child.id == second.id).values(name_enc=first.name_enc))
    db.commit()
    db.expire_all()
    second = db.get(Child, second.id)
    assert bytes(second.name_enc) == bytes(first.name_enc)
    with pytest.raises(DecryptionFailed):
        _ = second.name
    assert db.get(Child, first.id).name == "Juniper Testperson"


def test_column_copied_to_another_column_fails_to_open(world, db):
    worker = world.user("north", "worker")
    child = make_case(db, worker, name="Juniper Testperson").child
    db.execute(update(Child).where(Child.id == child.id)
               .values(case_reference_enc=child.name_enc))
    db.commit()
    db.expire_all()
    with pytest.raises(DecryptionFailed):
        _ = db.get(Child, child.id).case_reference


def test_stored_bytes_hold_no_plaintext(world, db):
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name="Juniper Testperson", ref="JT-4242")
    row = db.execute(text("SELECT name_enc, case_reference_enc, case_reference_index "
                          "FROM child WHERE id = :id"), {"id": episode.child_id}).one()
    for blob in (bytes(row[0]), bytes(row[1])):
        assert b"Juniper" not in blob and b"Testperson" not in blob and b"JT-4242" not in blob
    assert "JT-4242" not in row[2]
    police = db.execute(select(Episode.police_reference_enc)
                        .where(Episode.id == episode.id)).scalar_one()
    assert b"PR/123/2026" not in bytes(police)
    db.expire_all()
    child = db.get(Child, episode.child_id)
    assert child.name == "Juniper Testperson"  # and yet it reads back
    assert child.case_reference == "JT-4242"
