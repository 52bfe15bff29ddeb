"""The app refuses to start, with a message saying what to do, when its keys cannot read the
data or the database is not set up; it never starts half-working."""

from __future__ import annotations

import base64

from sqlalchemy import delete, func, select

from rhc_app import create_app
from rhc_app.crypto import KeyRing
from rhc_app.store.db import make_engine, make_sessionmaker
from rhc_app.store.models import KeyCheck
from tests.conftest import config_for, prepare_database
from tests.helpers_security import disposing_engines, empty_database, refusal, started


def _secrets_of(ring: KeyRing) -> list[str]:
    return [base64.b64encode(k).decode() for k in [*ring.keys.values(), ring.index_key]]


def test_starts_with_matching_keys(instance, keyring, sqlite_template, pg_migrated):
    url = prepare_database(instance, keyring, sqlite_template)
    with started(instance, url) as app:
        assert app.test_client().get("/healthz").status_code == 200


def test_refuses_without_keys_file(instance, sqlite_template, pg_migrated):
    ring = KeyRing.generate()  # sealed the data, but never written to the instance folder
    url = prepare_database(instance, ring, sqlite_template)
    assert not (instance / "keys.json").exists()
    message = str(refusal(instance, url))
    assert "will not start" in message
    assert "keys.json" in message
    assert "rhc init" in message


def test_refuses_malformed_keys_file(instance, sqlite_template, pg_migrated):
    url = prepare_database(instance, KeyRing.generate(), sqlite_template)
    (instance / "keys.json").write_text('{"active": "k1", "keys": {}}', encoding="utf-8")
    assert "not valid" in str(refusal(instance, url))


def test_refuses_other_key_ring(instance, keyring, sqlite_template, pg_migrated):
    other = KeyRing.generate()
    url = prepare_database(instance, other, sqlite_template)  # canary sealed by another ring
    message = str(refusal(instance, url))
    assert "does not match" in message
    assert "keys.json" in message
    for secret in _secrets_of(keyring) + _secrets_of(other):
        assert secret not in message  # never key material in an error


def test_refuses_other_key_ring_from_environment_value(instance, sqlite_template, pg_migrated):
    url = prepare_database(instance, KeyRing.generate(), sqlite_template)
    assert "does not match" in str(refusal(instance, url, KEYS=KeyRing.generate().to_json()))


def test_keys_from_config_value_instead_of_file(instance, sqlite_template, pg_migrated):
    ring = KeyRing.generate()
    url = prepare_database(instance, ring, sqlite_template)
    assert not (instance / "keys.json").exists()
    with started(instance, url, KEYS=ring.to_json()) as app:
        assert app.extensions["rhc_database"].keyring.active == ring.active


def test_refuses_database_without_tables(instance, keyring):
    with empty_database(instance) as url:
        message = str(refusal(instance, url))
        assert "no tables" in message
        assert "rhc init" in message


def test_refuses_database_never_initialised(instance, keyring, sqlite_template, pg_migrated):
    url = prepare_database(instance, keyring, sqlite_template)
    engine = make_engine(url)
    with make_sessionmaker(engine, keyring)() as s:
        s.execute(delete(KeyCheck))
        s.commit()
    engine.dispose()
    message = str(refusal(instance, url))
    assert "not been initialised" in message and "rhc init" in message


def test_refusal_writes_nothing(instance, keyring, sqlite_template, pg_migrated):
    url = prepare_database(instance, KeyRing.generate(), sqlite_template)
    engine = make_engine(url)
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(KeyCheck)).scalar_one()
        blob = conn.execute(select(KeyCheck.value_enc)).scalar_one()
    refusal(instance, url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(KeyCheck)).scalar_one() == before
        assert bytes(conn.execute(select(KeyCheck.value_enc)).scalar_one()) == bytes(blob)
    engine.dispose()
    assert KeyRing.load(instance / "keys.json").active == keyring.active  # file untouched


def test_without_required_keys_the_cli_app_still_builds(instance, sqlite_template, pg_migrated):
    url = prepare_database(instance, KeyRing.generate(), sqlite_template)
    with disposing_engines():
        app = create_app(config_for(instance, url), require_keys=False)
        assert app.extensions["rhc_database"].keyring is None


def test_refuses_nonsense_idle_timeout(instance, keyring, sqlite_template, pg_migrated):
    url = prepare_database(instance, keyring, sqlite_template)
    assert "IDLE" in str(refusal(instance, url, SESSION_IDLE_MINUTES=0))
