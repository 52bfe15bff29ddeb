"""The `rhc` command: validation, passwords from standard input, key rotation and removal,
and an idempotent `rhc init`."""

from __future__ import annotations

import base64
import stat
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from rhc_app import create_app
from rhc_app.crypto import KeyRing
from rhc_app.services.conversations import save_canvas
from rhc_app.store.db import sealed_fields
from rhc_app.store.models import (
    SEALED_MODELS,
    AuditEvent,
    Child,
    Conversation,
    KeyCheck,
    Organisation,
    User,
)
from tests.conftest import Auth, make_case, now
from tests.helpers_security import disposing_engines, empty_database, started

GOOD_PASSWORD = "lantern-quietly-orbit-maple"


def _create_user(runner, email="nova@north.example.org", password=GOOD_PASSWORD,
                 name="Nova Example", org="north", role="worker"):
    return runner.invoke(args=["users", "create", "--org", org, "--email", email, "--name", name,
                               "--role", role], input=password + "\n")


def _count(db, model):
    db.rollback()
    return db.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("slug", ["Bad Slug", "UPPER", "a", "-lead", "has_underscore",
                                  "x" * 64, "dots.in.it", "émigré"])
def test_orgs_create_validates_slug(world, runner, db, slug):
    before = _count(db, Organisation)
    result = runner.invoke(args=["orgs", "create", "--name", "Harbourside Services", "--", slug])
    assert result.exit_code != 0
    assert "SLUG must be" in result.output
    assert _count(db, Organisation) == before


def test_orgs_create(world, runner, db):
    result = runner.invoke(args=["orgs", "create", "harbourside", "--name", "Harbourside CS",
                                 "--kind", "provider"])
    assert result.exit_code == 0, result.output
    org = db.execute(select(Organisation).where(Organisation.slug == "harbourside")).scalar_one()
    assert (org.name, org.kind) == ("Harbourside CS", "provider")
    again = runner.invoke(args=["orgs", "create", "harbourside", "--name", "Other"])
    assert again.exit_code != 0 and "exists already" in again.output


def test_users_create_reads_password_from_stdin(world, app, runner, db):
    result = _create_user(runner)
    assert result.exit_code == 0, result.output
    assert GOOD_PASSWORD not in result.output
    user = db.execute(select(User).where(
        User.email_index == db.info["keyring"].index("email", "nova@north.example.org"))
    ).scalar_one()
    assert user.name == "Nova Example" and user.role == "worker"
    assert GOOD_PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2id$")
    assert Auth(app.test_client()).sign_in("nova@north.example.org", GOOD_PASSWORD
                                           ).status_code == 302


@pytest.mark.parametrize("password, message", [
    ("short-one", "12 characters or more"),
    ("password1234", "too common"),
    ("nova example is here", "must not contain your name"),
    ("", "12 characters or more"),
])
def test_users_create_refuses_weak_password(world, runner, db, password, message):
    before = _count(db, User)
    result = _create_user(runner, password=password)
    assert result.exit_code != 0
    assert message in result.output
    assert _count(db, User) == before


@pytest.mark.parametrize("email", ["worker@north.example.org", "WORKER@North.Example.org",
                                   " worker@north.example.org "])
def test_users_create_refuses_duplicate_email(world, runner, db, email):
    before = _count(db, User)
    result = _create_user(runner, email=email)
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert _count(db, User) == before


def test_users_create_refuses_bad_input(world, runner, db):
    before = _count(db, User)
    assert _create_user(runner, email="not-an-email").exit_code != 0
    assert _create_user(runner, org="nowhere").exit_code != 0
    assert _create_user(runner, role="superuser").exit_code != 0
    assert _count(db, User) == before


def _blobs(db):
    db.rollback()
    for model in SEALED_MODELS:
        for obj in db.execute(select(model)).scalars():
            for f in sealed_fields(model):
                blob = getattr(obj, f.column)
                if blob is not None:
                    yield model.__name__, f.name, bytes(blob)


@pytest.fixture
def filled(world, db):
    worker = world.user("north", "worker")
    db.get(User, worker.id).totp_secret = "JBSWY3DPEHPK3PXP"
    episode = make_case(db, worker, name="Juniper Rotation", ref="ROT-1")
    conv = db.get(Conversation, episode.conversation.id)
    conv.status = "in_progress"
    canvas = {"areas": {"locations": "By the canal"}, "details": {
        "held_at": (now() - timedelta(hours=1)).isoformat()}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    return episode


def test_keys_rotate_then_remove(filled, app, runner, db, instance):
    old = KeyRing.load(instance / "keys.json")
    assert {kid for *_, blob in _blobs(db) if (kid := old.key_id_of(blob))} == {old.active}
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    new = KeyRing.load(instance / "keys.json")
    assert new.active != old.active and set(new.keys) == {old.active, new.active}
    seen = set()
    for model, field, blob in _blobs(db):
        assert new.key_id_of(blob) == new.active, (model, field)
        seen.add((model, field))
    assert {("Child", "name"), ("User", "totp_secret"), ("Conversation", "record"),
            ("KeyCheck", "value"), ("Episode", "police_reference")} <= seen
    url = app.extensions["rhc_database"].url
    with started(instance, url) as second:  # the next process, with the new key file
        removed = second.test_cli_runner().invoke(args=["keys", "remove", old.active])
        assert removed.exit_code == 0, removed.output
    ring = KeyRing.load(instance / "keys.json")
    assert set(ring.keys) == {new.active}
    assert stat.S_IMODE((instance / "keys.json").stat().st_mode) == 0o600
    with started(instance, url) as third:  # starts (key check opens) and reads everything
        s = third.extensions["rhc_database"].factory()
        child = s.get(Child, filled.child_id)
        assert (child.name, child.case_reference) == ("Juniper Rotation", "ROT-1")
        assert s.get(Conversation, filled.conversation.id).canvas["areas"]["locations"] == \
            "By the canal"
        assert s.get(KeyCheck, "canary").value == "rhc key check"
        s.close()
        # Sign-in e-mails are found by the index key, which rotation keeps.
        assert Auth(third.test_client()).sign_in("worker2@north.example.org").status_code == 302


def test_keys_remove_refuses_key_in_use(filled, app, db, instance):
    old = KeyRing.load(instance / "keys.json")
    old.with_new_active_key().save(instance / "keys.json")  # a new key, nothing re-sealed yet
    with started(instance, app.extensions["rhc_database"].url) as second:
        result = second.test_cli_runner().invoke(args=["keys", "remove", old.active])
        assert result.exit_code != 0
        assert "still in use" in result.output
        active = KeyRing.load(instance / "keys.json").active
        result = second.test_cli_runner().invoke(args=["keys", "remove", active])
        assert result.exit_code != 0
    assert old.active in KeyRing.load(instance / "keys.json").keys  # file untouched


def test_keys_list_shows_ids_only(world, runner, instance):
    ring = KeyRing.load(instance / "keys.json")
    result = runner.invoke(args=["keys", "list"])
    assert result.exit_code == 0
    assert ring.active in result.output
    for key in [*ring.keys.values(), ring.index_key]:
        assert base64.b64encode(key).decode() not in result.output  # never the key itself


@contextmanager
def _cli_app(instance, url):
    with disposing_engines():
        yield create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "TESTING": True,
                          "ARGON2_FAST": True}, require_keys=False)


def _init(instance, url, *args):
    with _cli_app(instance, url) as app:  # each `rhc init` is a new process
        return app.test_cli_runner().invoke(args=["init", *args])


def _canary_and_events(url):
    from rhc_app.store.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        counts = (conn.execute(select(func.count()).select_from(KeyCheck)).scalar_one(),
                  conn.execute(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "instance_initialised")).scalar_one())
    engine.dispose()
    return counts


def test_init_is_idempotent(tmp_path):
    instance = tmp_path / "fresh"  # does not exist yet
    with empty_database(tmp_path) as url:
        first = _init(instance, url)
        assert first.exit_code == 0, first.output
        assert "Created the encryption key ring" in first.output
        assert stat.S_IMODE(instance.stat().st_mode) == 0o700
        keys = instance / "keys.json"
        assert stat.S_IMODE(keys.stat().st_mode) == 0o600
        content = keys.read_text()
        second = _init(instance, url)
        assert second.exit_code == 0, second.output
        assert "Created the encryption key ring" not in second.output
        assert "up to date" in second.output
        assert keys.read_text() == content
        assert _canary_and_events(url) == (1, 1)
        with started(instance, url) as app:  # and the app now starts
            assert app.test_client().get("/sign-in").status_code == 200


def test_init_refuses_without_the_key_for_existing_data(tmp_path):
    instance = tmp_path / "fresh"
    with empty_database(tmp_path) as url:
        assert _init(instance, url).exit_code == 0
        (instance / "keys.json").unlink()  # lost key file
        result = _init(instance, url)
        assert result.exit_code != 0 and "restore" in result.output
        assert not (instance / "keys.json").exists()  # no new key over old data
        KeyRing.generate().save(instance / "keys.json")  # the wrong key file
        result = _init(instance, url)
        assert result.exit_code != 0 and "does not match" in result.output
        assert _canary_and_events(url) == (1, 1)
