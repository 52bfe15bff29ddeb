"""Fixtures: an app per test on SQLite (a migrated template copied per test) or, when
RHC_TEST_DATABASE_URL is set (see tests/pgserver.py), on a real PostgreSQL server."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import text

from rhc_app import create_app
from rhc_app.crypto import KeyRing
from rhc_app.security.passwords import hash_password
from rhc_app.services.children import ChildDetails, EpisodeDetails, add_child, add_episode
from rhc_app.store.db import make_engine, make_sessionmaker
from rhc_app.store.migrate import alembic_config, upgrade
from rhc_app.store.models import Base, KeyCheck, Organisation, User

pytest_plugins = ["tests.reliability_plugin"]  # the battery's summary lines

PG_URL = os.environ.get("RHC_TEST_DATABASE_URL")
PASSWORD = "correct-horse-staple-battery"

# The developer's own settings must not leak into tests.
for _name in list(os.environ):
    if _name.startswith("RHC_") and _name != "RHC_TEST_DATABASE_URL":
        del os.environ[_name]


@pytest.fixture(scope="session", autouse=True)
def own_temp_folder(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The app under test writes its temporary files (spooled uploads, PDF builds) in a folder
    this run owns, so the plaintext scans read only what the app wrote, never another
    program's files in the machine's /tmp."""
    folder = tmp_path_factory.mktemp("app-tmp")
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)
    yield folder
    tempfile.tempdir = saved[0]
    if saved[1] is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = saved[1]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "rhc.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> bool:
    if PG_URL:
        engine = make_engine(PG_URL)
        upgrade(engine)
        engine.dispose()
    return True


def _truncate_pg() -> None:
    engine = make_engine(PG_URL)  # type: ignore[arg-type]
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def keyring(instance: Path) -> KeyRing:
    ring = KeyRing.generate()
    ring.save(instance / "keys.json")
    return ring


def prepare_database(instance: Path, ring: KeyRing, template: Path) -> str:
    if PG_URL:
        _truncate_pg()
        url = PG_URL
    else:
        shutil.copy(template, instance / "rhc.sqlite3")
        url = f"sqlite:///{instance / 'rhc.sqlite3'}"
    engine = make_engine(url)
    with make_sessionmaker(engine, ring)() as s:
        s.add(KeyCheck(id="canary", value="rhc key check"))
        s.commit()
    engine.dispose()
    return url


def config_for(instance: Path, url: str, **extra: Any) -> dict[str, Any]:
    return {"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "TESTING": True,
            "ARGON2_FAST": True, "SESSION_COOKIE_SECURE": False, **extra}


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change settings."""
    return {}


@pytest.fixture
def app(instance: Path, keyring: KeyRing, sqlite_template: Path, pg_migrated: bool,
        app_config: dict[str, Any]):  # type: ignore[no-untyped-def]
    url = prepare_database(instance, keyring, sqlite_template)
    application = create_app(config_for(instance, url, **app_config))
    yield application
    application.extensions["rhc_database"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def db(app):  # type: ignore[no-untyped-def]
    """A session of the test's own: no app context is held open, so every client request
    gets a fresh one (as in production)."""
    database = app.extensions["rhc_database"]
    # Its own engine, each statement its own transaction on SQLite: a test that reads while the
    # app serves a request (a live browser test) neither blocks the app's writes nor holds a
    # stale snapshot that a later write of its own would be refused on.
    engine = make_engine(database.url, sqlite_autocommit=True)
    session = make_sessionmaker(engine, database.keyring)()
    yield session
    session.close()
    engine.dispose()


# -- factories ----------------------------------------------------------------------------
@dataclass
class Org:
    org: Organisation
    users: dict[str, User] = field(default_factory=dict)


@dataclass
class World:
    """Two organisations, each with two workers, a manager and an admin."""

    orgs: dict[str, Org]

    def user(self, org: str, who: str) -> User:
        return self.orgs[org].users[who]


def make_user(s: Any, org: Organisation, email: str, name: str, role: str,
              password: str = PASSWORD, totp_secret: str | None = None) -> User:
    ring = s.info["keyring"]
    user = User(organisation_id=org.id, email_index=ring.index("email", email), email=email,
                name=name, role=role, must_change_password=False,
                password_hash=hash_password(password, fast=True), totp_secret=totp_secret)
    s.add(user)
    s.flush()
    return user


@pytest.fixture
def world(app, db) -> World:  # type: ignore[no-untyped-def]
    orgs: dict[str, Org] = {}
    for slug, name in (("north", "Northmoor Council"), ("south", "Southvale Family Trust")):
        org = Organisation(slug=slug, name=name)
        db.add(org)
        db.flush()
        o = Org(org)
        for who, role in (("worker", "worker"), ("worker2", "worker"), ("manager", "manager"),
                          ("admin", "admin")):
            o.users[who] = make_user(db, org, f"{who}@{slug}.example.org",
                                     f"{who.title()} {slug.title()}", role)
        orgs[slug] = o
    db.commit()
    return World(orgs)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def make_case(db: Any, user: User, *, name: str = "Robin Testchild", ref: str | None = None,
              found_hours_ago: float | None = 10, reported_hours_ago: float = 30,
              police_risk: str = "medium", in_care: bool = False) -> Any:
    """A child with one episode (and its conversation), held by `user` if a worker."""
    from rhc_app.store.models import Child

    ring = db.info["keyring"]
    child = None
    if ref:
        from sqlalchemy import select

        child = db.execute(select(Child).where(
            Child.case_reference_index == ring.index("child_ref", ref),
            Child.organisation_id == user.organisation_id)).scalar_one_or_none()
    if child is None:
        child = add_child(db, ring, user, ChildDetails(
            name=name, case_reference=ref or f"CASE-{os.urandom(3).hex()}",
            date_of_birth="2011-05-04", gender="female", ethnicity="White British",
            in_care=in_care))
    t = now()
    episode = add_episode(db, user, child, EpisodeDetails(
        reported_missing_at=t - timedelta(hours=reported_hours_ago),
        found_at=None if found_hours_ago is None else t - timedelta(hours=found_hours_ago),
        police_risk=police_risk, police_reference="PR/123/2026"))
    db.commit()
    return episode


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1) or m.group(2)


class Auth:
    def __init__(self, client: Any) -> None:
        self.client = client

    def sign_in(self, user_or_email: User | str, password: str = PASSWORD, code: str = ""
                ) -> Any:
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        page = self.client.get("/sign-in")
        return self.client.post("/sign-in", data={
            "email": email, "password": password, "code": code,
            "csrf_token": csrf_from(page.get_data(as_text=True))})

    def sign_out(self) -> Any:
        page = self.client.get("/account")
        return self.client.post("/sign-out",
                                data={"csrf_token": csrf_from(page.get_data(as_text=True))})

    def post(self, url: str, data: dict[str, Any], page: str | None = None, **kw: Any) -> Any:
        """POST with the CSRF token from `page` (default: the same URL)."""
        html = self.client.get(page or url).get_data(as_text=True)
        return self.client.post(url, data={**data, "csrf_token": csrf_from(html)}, **kw)


@pytest.fixture
def auth(client) -> Auth:  # type: ignore[no-untyped-def]
    return Auth(client)


@pytest.fixture
def totp_user(world, db):  # type: ignore[no-untyped-def]
    """A worker of "north" with two-step sign-in set up: (worker, its TOTP secret)."""
    secret = pyotp.random_base32()
    worker = world.user("north", "worker")
    db.get(User, worker.id).totp_secret = secret
    db.commit()
    return worker, secret


def migrate_to(engine: Any, *, to: str, down: bool = False) -> None:
    """Move the schema to one revision, up or down (the migration tests' data checks)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, to)
