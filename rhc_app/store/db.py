"""Database engine, sessions and sealed (encrypted) fields.

Models declare a sealed field once: ``name = sealed()`` next to a ``name_enc`` LargeBinary column.
Reading gives plaintext, writing stores only ciphertext bound to "table.column.row-id". The key
ring rides on the session (``session.info["keyring"]``): no global to patch in tests.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, TypeDecorator, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, object_session
from sqlalchemy.orm import sessionmaker as _sessionmaker

from rhc_app.crypto import KeyMissing, KeyRing


def new_id() -> str:
    """Random ids: nothing to enumerate, and known before insert so they can bind ciphertext."""
    return secrets.token_hex(16)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both engines (SQLite has no time zones of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class IdMixin:
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)


class sealed:  # noqa: N801 - used like a column declaration
    """A plaintext attribute stored only as ciphertext in the `<name>_enc` column."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.column = f"{name}_enc"

    def context(self, obj: Any) -> str:
        return self.context_of(obj.__tablename__, obj.id)

    def context_of(self, table: str, row_id: str) -> str:
        """What the ciphertext is bound to: table, field and row, so it cannot be moved."""
        return f"{table}.{self.name}.{row_id}"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        pending = obj.__dict__.get("_rhc_pending", {})
        if self.name in pending:
            return pending[self.name]
        blob = getattr(obj, self.column)
        if blob is None:
            return None
        cache = obj.__dict__.setdefault("_rhc_cache", {})
        hit = cache.get(self.name)
        if hit is not None and hit[0] == blob:
            return hit[1]
        plain = _keyring_for(obj).open(bytes(blob), self.context(obj))
        cache[self.name] = (blob, plain)
        return plain

    def __set__(self, obj: Any, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{self.name} takes text")
        obj.__dict__.setdefault("_rhc_pending", {})[self.name] = value
        sess = object_session(obj)
        if sess is not None and "keyring" in sess.info:
            seal_pending(obj, sess.info["keyring"])

    def reseal(self, obj: Any, ring: KeyRing) -> None:
        """Re-encrypt under the active key (key rotation)."""
        plain = self.__get__(obj)
        self.__set__(obj, plain)
        seal_pending(obj, ring)


_SEALED_FIELDS: dict[type, list[sealed]] = {}


def sealed_fields(cls: type) -> list[sealed]:
    # Once per class: dir() of a model is slow, and an import seals tens of thousands of rows.
    found = _SEALED_FIELDS.get(cls)
    if found is None:
        found = _SEALED_FIELDS[cls] = [v for k in dir(cls)
                                       if isinstance(v := getattr(cls, k, None), sealed)]
    return list(found)


def seal_pending(obj: Any, ring: KeyRing) -> None:
    pending = obj.__dict__.get("_rhc_pending")
    if not pending:
        return
    if obj.id is None:
        obj.id = new_id()
    desc = {f.name: f for f in sealed_fields(type(obj))}
    cache = obj.__dict__.setdefault("_rhc_cache", {})
    for name, value in list(pending.items()):
        field = desc[name]
        blob = None if value is None else ring.seal(value, field.context(obj))
        setattr(obj, field.column, blob)
        cache[name] = (blob, value)
        del pending[name]


def new_row(model: type, values: dict[str, Any], ring: KeyRing) -> dict[str, Any]:
    """A new row of ``model`` as plain values for a Core INSERT of many rows, without an
    ORM object (an import adds tens of thousands): sealed fields, given by name in plaintext,
    sealed exactly as :class:`sealed` seals them (bound to table, field and the row's id);
    every column present, its default where not given, so a batch shares one statement."""
    table, fixed, made, fields = _row_template(model)
    out = dict(fixed)
    for key, default in made:
        if key not in values:
            out[key] = default(None)
    row_id = out["id"] = values.get("id") or out["id"]
    for name, value in values.items():
        field = fields.get(name)
        if field is None:
            out[name] = value
        elif value is not None:
            out[field.column] = ring.seal(value, field.context_of(table, row_id))
    return out


_TEMPLATES: dict[type, Any] = {}


def _row_template(model: type) -> Any:
    """Once per model: its table, fixed defaults, made defaults (new_id, utcnow) and sealed
    fields by name."""
    found = _TEMPLATES.get(model)
    if found is None:
        fixed, made = {}, []
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            default = column.default
            fixed[column.key] = None if default is None or default.is_callable else default.arg
            if default is not None and default.is_callable:
                made.append((column.key, default.arg))
        found = _TEMPLATES[model] = (model.__tablename__,  # type: ignore[attr-defined]
                                     fixed, made, {f.name: f for f in sealed_fields(model)})
    return found


def _keyring_for(obj: Any) -> KeyRing:
    sess = object_session(obj)
    if sess is None or "keyring" not in sess.info:
        raise KeyMissing("a sealed field was read outside a database session")
    return sess.info["keyring"]


def make_engine(url: str, *, write_lock_at_begin: bool = False, sqlite_autocommit: bool = False,
                **kwargs: Any) -> Engine:
    """SQLite only: `write_lock_at_begin` is for the app's request sessions (see below);
    `sqlite_autocommit` makes each statement its own transaction, for a tool that reads
    beside a running app (tests) and must neither hold a snapshot nor block it."""
    # A database error's message carries the statement's parameters (search indexes, category
    # values, ciphertext) into logs and tracebacks unless they are hidden.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine, write_lock_at_begin, sqlite_autocommit)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        event.listen(engine, "handle_error", _first_line_only)
        event.listen(engine, "connect", _no_parallel_workers)
    return engine


def _no_parallel_workers(dbapi_conn: Any, _record: Any) -> None:
    """The app's statements are short; PostgreSQL gives some (the overdue actions, still
    missing) a parallel worker whose start-up costs more than it saves: about 10 ms a
    statement, a fifth of the team page (bench, 100,000 episodes). Set per connection, so a
    server tuned for other work keeps its own setting."""
    with dbapi_conn.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = 0")
    dbapi_conn.commit()


def _first_line_only(context: Any) -> None:
    """PostgreSQL's error DETAIL repeats the values of the row ("Failing row contains (...)",
    "Key (slug)=(...) already exists"): keep only the primary message, in the exception and
    in the driver's exception chained to it, so no traceback carries a value to the logs."""
    for exc in (context.original_exception, context.sqlalchemy_exception):
        if exc is not None and exc.args and isinstance(exc.args[0], str):
            exc.args = (exc.args[0].split("\n", 1)[0], *exc.args[1:])


def _configure_sqlite(engine: Engine, write_lock_at_begin: bool, autocommit: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Python's sqlite3 opens transactions implicitly and breaks SAVEPOINT; let SQLAlchemy
        # issue BEGIN itself (the documented recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # Per connection: overwrite deleted content with zeros, and keep the WAL short so
        # replaced plaintext-adjacent pages do not linger there.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute("PRAGMA wal_autocheckpoint=100")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    if autocommit:
        return  # no BEGIN: sqlite3 runs each statement as its own transaction

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE: take the write lock at the start. Nearly every request writes (its
        # session, the audit log); a deferred transaction that later upgrades to a write
        # while another process writes fails at once with "database is locked" (SQLite
        # will not wait there, to avoid deadlock), whereas IMMEDIATE waits its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_lock_at_begin else "BEGIN")


def make_sessionmaker(engine: Engine, keyring: KeyRing | None) -> _sessionmaker[Session]:
    factory = _sessionmaker(bind=engine, expire_on_commit=False,
                            info={"keyring": keyring} if keyring else {})

    return factory


@event.listens_for(Session, "before_flush")
def _seal_before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    ring = session.info.get("keyring")
    for obj in list(session.new) + list(session.dirty):
        if obj.__dict__.get("_rhc_pending"):
            if ring is None:
                raise KeyMissing("cannot store a sealed field without the key ring")
            seal_pending(obj, ring)


@event.listens_for(Session, "after_attach")
def _seal_on_attach(session: Session, obj: Any) -> None:
    # Objects built before being added carry plaintext until sealed; seal as soon as possible.
    ring = session.info.get("keyring")
    if ring is not None and obj.__dict__.get("_rhc_pending") and getattr(obj, "id", None):
        seal_pending(obj, ring)
