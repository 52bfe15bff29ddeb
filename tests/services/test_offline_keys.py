"""The organisations' keys for the tablets' offline queue (issue 10): made with each
organisation, the private half only ever sealed under the key ring, re-sealed by `rhc keys
rotate` (an item queued before still opens with only the new key), and one organisation's key
opens nothing of another's."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import delete, select

from rhc_app.crypto import DecryptionFailed, KeyRing, offline_item_aad, open_offline_item
from rhc_app.services import offline
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import Conversation, OfflineKey, User
from tests.conftest import make_case
from tests.helpers_security import started
from tests.offline_tablet import seal_item

NOTE = {"kind": "note", "text": "Met him by the canal (invented)", "area": ""}


def _queued(key: OfflineKey, conv_id: str) -> offline.QueuedItem:
    f = seal_item(key.public_key, conv_id, NOTE)
    return offline.QueuedItem(f["item"], *(base64.b64decode(f[n]) for n in
                                            ("tablet_key", "wrapped_key", "iv", "data")))


def test_each_organisation_has_its_own_key_pair_sealed(world: Any, db: Any, instance: Any) -> None:
    keys = {k.id: k for k in db.execute(select(OfflineKey)).scalars()}
    assert set(keys) == {o.org.id for o in world.orgs.values()}
    ring = KeyRing.load(instance / "keys.json")
    north, south = keys[world.orgs["north"].org.id], keys[world.orgs["south"].org.id]
    assert ring.key_id_of(bytes(north.private_key_enc)) == ring.active
    der = base64.b64decode(north.private_key)
    assert der not in bytes(north.private_key_enc) and north.private_key not in \
        bytes(north.private_key_enc).decode("latin-1")
    item = _queued(north, "c" * 32)
    aad = offline_item_aad("c" * 32, item.item_id)
    args = (item.tablet_key, item.wrapped_key, item.iv, item.ciphertext)
    assert json.loads(open_offline_item(north.private_key, *args, aad)) == NOTE
    with pytest.raises(DecryptionFailed):  # another organisation's key opens nothing
        open_offline_item(south.private_key, *args, aad)


def test_rotation_reseals_the_private_key_and_queued_items_still_open(
        world: Any, app: Any, runner: Any, db: Any, instance: Any) -> None:
    worker = world.user("north", "worker")
    conv_id = make_case(db, worker).conversation.id
    db.commit()
    item = _queued(db.get(OfflineKey, worker.organisation_id), conv_id)  # queued, then rotated
    old = KeyRing.load(instance / "keys.json")
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    url = app.extensions["rhc_database"].url
    with started(instance, url) as second:
        assert second.test_cli_runner().invoke(args=["keys", "remove", old.active]).exit_code == 0
    with started(instance, url) as third:  # holds only the new key
        s = third.extensions["rhc_database"].factory()
        key = s.get(OfflineKey, worker.organisation_id)
        assert KeyRing.load(instance / "keys.json").key_id_of(bytes(key.private_key_enc)) \
            != old.active
        user, conv = s.get(User, worker.id), s.get(Conversation, conv_id)
        assert offline.open_item(s, user, conv, item) == NOTE
        s.execute(delete(OfflineKey))  # the private key gone: the queue cannot be opened
        with pytest.raises(CaseworkError):
            offline.open_item(s, user, conv, item)
        s.rollback()
        s.close()


def test_keys_offline_makes_the_missing_ones(world: Any, runner: Any, db: Any) -> None:
    db.execute(delete(OfflineKey).where(OfflineKey.id == world.orgs["south"].org.id))
    db.commit()
    result = runner.invoke(args=["keys", "offline"])
    assert result.exit_code == 0 and "for 1 organisations" in result.output
    db.expire_all()
    assert db.get(OfflineKey, world.orgs["south"].org.id) is not None
    assert "for 0 organisations" in runner.invoke(args=["keys", "offline"]).output


def test_rhc_init_gives_older_organisations_their_key(world: Any, runner: Any, db: Any) -> None:
    """An upgraded instance needs no extra step: `rhc init` (run by `make run`) makes them."""
    db.execute(delete(OfflineKey).where(OfflineKey.id == world.orgs["south"].org.id))
    db.commit()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0 and "offline queue keys for 1 organisations" in result.output
    db.expire_all()
    assert db.get(OfflineKey, world.orgs["south"].org.id) is not None
    assert "offline queue keys" not in runner.invoke(args=["init"]).output
