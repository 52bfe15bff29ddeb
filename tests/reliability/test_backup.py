"""`rhc backup` and `rhc restore` on the engine under test: a round trip brings back every
sealed value of every model; a key ring that cannot open the backup, a damaged file or an
existing file is refused with a clear message and nothing changes."""

from __future__ import annotations

import json
import shutil
import stat
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import delete, func, select, text

from rhc_app import create_app
from rhc_app.crypto import KeyRing
from rhc_app.domain.uk_time import today_in_london
from rhc_app.services import covering, strategy
from rhc_app.services.children import ChildDetails, add_child
from rhc_app.services.closing import close_offer
from rhc_app.services.conversation_fields import OfferFields
from rhc_app.services.conversations import record_attempt, record_outcome, save_canvas
from rhc_app.services.drafts import keep_draft
from rhc_app.services.follow_up import ActionChange, add_action
from rhc_app.services.oversight import record_decision
from rhc_app.services.still_missing import record_senior_manager_told
from rhc_app.services.strategy import DecisionDetails
from rhc_app.store.db import make_engine, make_sessionmaker, sealed_fields
from rhc_app.store.migrate import upgrade
from rhc_app.store.models import (
    SEALED_MODELS,
    Amendment,
    AuditEvent,
    Base,
    Child,
    ContactAttempt,
    Conversation,
    KeyCheck,
    WebSession,
)
from tests.conftest import PG_URL, Auth, config_for, make_case, make_user, now
from tests.helpers_security import empty_database
from tests.reliability_plugin import report

REFUSALS: set[str] = set()


def _sealed_snapshot(s):
    """Every sealed field of every row of every sealed model, opened with the session's keys."""
    out = {}
    for model in SEALED_MODELS:
        fields = sealed_fields(model)
        for obj in s.execute(select(model)).scalars():
            out[(model.__name__, obj.id)] = {f.name: getattr(obj, f.name) for f in fields}
    return out


def _raw_dump(engine):
    """Every row of every table as stored (ciphertext included), to prove nothing changed."""
    with engine.connect() as conn:
        return {t.name: sorted(repr(tuple(r)) for r in conn.execute(select(t)))
                for t in Base.metadata.sorted_tables}


def _populate(db, world):
    """At least one non-empty value in every sealed field of every sealed model."""
    worker = world.user("north", "worker")
    make_user(db, world.orgs["north"].org, "totp@north.example.org", "Tess Totp", "worker",
              totp_secret="JBSWY3DPEHPK3PXPJBSWY3DP")
    invited = make_user(db, world.orgs["north"].org, "invited@north.example.org", "Ina Invited",
                        "worker")
    invited.invitation_code = "second-half-of-a-password"
    ring = db.info["keyring"]
    add_child(db, ring, worker, ChildDetails(name="Quill Backupchild", case_reference="BK-2",
                                             home_area="Eastfield", ethnicity="Mixed"))
    episode = make_case(db, worker, name="Robin Backupchild", ref="BK-1")
    episode.episode_ref, episode.found_where = "EP-BK-1", "Bus station café"
    conv = episode.conversation
    t = now()
    record_attempt(db, worker, conv, t - timedelta(hours=2), "phone", "No answer — left a message")
    record_outcome(db, worker, conv, "accepted", t - timedelta(hours=1))
    db.commit()
    canvas = {"areas": {"victims": "Said a friend 🧒 was hurt", "locations": "Park\nBridge"},
              "notes": [{"text": "Café on the corner", "area": "locations", "at": ""}]}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    keep_draft(db, worker.id, conv, {"areas": {"themes": "a draft not yet saved"}}, conv.version)
    conv.child_summary = "You told me you felt safe at your aunt's."
    db.add(Amendment(conversation_id=conv.id, by_user_id=worker.id, reason="Spelling of a name",
                     before=conv.record))
    db.add(Amendment(conversation_id=conv.id, by_user_id=worker.id, kind="episode",
                     reason="Police corrected the reference", before='{"police_reference": "PR/1"}',
                     changes='[["Police reference", "PR/1", "PR/2"]]'))
    conv.return_reason = "Add what the carer said"
    add_action(db, worker, conv, ActionChange(kind="health", owner_id=worker.id, due_on=None,
                                              status="done", outcome="Seen by the school nurse",
                                              detail="Drop-in clinic"), today_in_london())
    record_decision(db, world.user("north", "manager"), conv, "signed_off", "Well recorded", t)
    other = make_case(db, worker, name="Sam Declined", ref="BK-3")
    record_outcome(db, worker, other.conversation, "declined", t - timedelta(hours=1),
                   reason="Did not want to talk today",
                   fields=OfferFields(carers_said="Her mum said she slept all day"))
    third = make_case(db, worker, name="Alex Notoffered", ref="BK-4")
    record_outcome(db, worker, third.conversation, "not_offered", t - timedelta(hours=1),
                   reason="Already in a strategy plan",
                   fields=OfferFields(not_offered_by="Team manager"))
    manager = world.user("north", "manager")
    close_offer(db, manager, other.conversation, "other", "Moved to a school in Leeds", t)
    strategy.record_decision(db, manager, episode.child, DecisionDetails(
        "held", meeting_on=today_in_london(), chair="Una Chairperson"))
    strategy.record_decision(db, manager, episode.child, DecisionDetails(
        "not_needed", reason="The safety plan is working"))
    record_senior_manager_told(db, manager, episode, "Vic Seniormanager", t - timedelta(hours=1))
    again = make_case(db, worker, ref="BK-1", reported_hours_ago=8, found_hours_ago=4)
    link = covering.attach(db, worker, conv, again.conversation)
    covering.detach(db, worker, conv, link.id, "Attached to the wrong time away")
    db.commit()
    return conv


def test_backup_then_restore_round_trips_every_sealed_value(world, app, runner, db, client,
                                                             tmp_path, keyring):
    conv = _populate(db, world)
    before = _sealed_snapshot(db)
    for model in SEALED_MODELS:  # the round trip covers every sealed field with a real value
        for f in sealed_fields(model):
            assert any(v.get(f.name) for (m, _), v in before.items() if m == model.__name__), \
                f"no {model.__name__}.{f.name} value to round-trip"
    db.close()

    file = tmp_path / "backups" / "rhc-backup.db"
    file.parent.mkdir()
    result = runner.invoke(args=["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    meta_text = (file.parent / "rhc-backup.db.meta.json").read_text()
    meta = json.loads(meta_text)
    assert meta["key_ids"] == sorted(keyring.keys)
    assert meta["engine"] == ("postgresql" if PG_URL else "sqlite")
    assert keyring.to_json() not in meta_text
    for secret in json.loads(keyring.to_json())["keys"].values():
        assert secret not in meta_text  # key ids only, never keys

    # Change and delete data after the backup.
    worker = db.get(type(world.user("north", "worker")), world.user("north", "worker").id)
    live = db.get(Conversation, conv.id)
    assert save_canvas(db, worker, live, {"areas": {"victims": "CHANGED"}}, live.version).applied
    db.execute(delete(ContactAttempt))
    db.execute(delete(Amendment))
    add_child(db, db.info["keyring"], worker, ChildDetails(name="After Backup", case_reference="BK-9"))
    db.commit()
    assert Auth(client).sign_in(world.user("north", "worker")).status_code == 302
    db.close()

    result = runner.invoke(args=["restore", str(file)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output

    with app.extensions["rhc_database"].factory() as s:
        assert _sealed_snapshot(s) == before  # every value opens and is as it was
        assert s.execute(select(func.count()).select_from(ContactAttempt)).scalar_one() == 1
        assert s.execute(select(Child).where(Child.case_reference_index ==
                                             keyring.index("child_ref", "BK-9"))).first() is None
        assert s.execute(select(func.count()).select_from(WebSession)).scalar_one() == 0
        assert s.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc())
                         ).scalars().first() == "restore_done"
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    # The app serves the restored record (the old session ended: sign in again).
    assert client.get(f"/conversations/{conv.id}/canvas").status_code == 302
    Auth(client).sign_in(world.user("north", "worker"))
    page = client.get(f"/conversations/{conv.id}/canvas")
    assert page.status_code == 200
    assert "a draft not yet saved" in page.get_data(as_text=True)  # the worker's own draft
    values = sum(1 for row in before.values() for v in row.values() if v not in (None, "", {}, []))
    report("backup and restore", f"{'pg_dump/pg_restore' if PG_URL else 'SQLite online backup'}: "
           f"{values} sealed values in {len(before)} rows round-trip and decrypt")


@contextmanager
def _second_instance(tmp_path, sqlite_template):
    """Another deployment with its own key ring and database, holding a child of its own."""
    inst = tmp_path / "second"
    inst.mkdir()
    ring = KeyRing.generate()
    ring.save(inst / "keys.json")
    with empty_database(inst) as url:
        if not PG_URL:
            shutil.copy(sqlite_template, inst / "rhc.sqlite3")
            url = f"sqlite:///{inst / 'rhc.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        with make_sessionmaker(engine, ring)() as s:
            s.add(KeyCheck(id="canary", value="rhc key check"))
            from rhc_app.store.models import Organisation
            org = Organisation(slug="east", name="Eastport")
            s.add(org)
            s.flush()
            make_case(s, make_user(s, org, "w@east.example.org", "Wren East", "worker"),
                      name="Only In Second")
            s.commit()
        app = create_app(config_for(inst, url))
        try:
            yield app, engine, ring
        finally:
            app.extensions["rhc_database"].dispose()
            engine.dispose()


def _backup(runner, tmp_path):
    file = tmp_path / "first.backup"
    result = runner.invoke(args=["backup", str(file)])
    assert result.exit_code == 0, result.output
    return file


def test_restore_with_another_key_ring_refuses_and_changes_nothing(world, app, runner, db,
                                                                    tmp_path, keyring,
                                                                    sqlite_template):
    make_case(db, world.user("north", "worker"))
    db.close()
    file = _backup(runner, tmp_path)
    with _second_instance(tmp_path, sqlite_template) as (second, engine, ring):
        before = _raw_dump(engine)
        result = second.test_cli_runner().invoke(args=["restore", str(file)])
        assert result.exit_code != 0
        message = " ".join(result.output.split())
        assert "cannot open this backup" in message
        assert keyring.active in message and ring.active in message  # which keys, by id
        assert "Nothing was changed" in message
        assert _raw_dump(engine) == before
        with make_sessionmaker(engine, ring)() as s:
            assert [c.name for c in s.execute(select(Child)).scalars()] == ["Only In Second"]
        if PG_URL:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM pg_database WHERE datname "
                                         "LIKE '%restore_check'")).scalar_one() == 0
    _refused("another key ring")


def test_restore_refuses_a_changed_or_foreign_file(world, app, runner, db, tmp_path):
    make_case(db, world.user("north", "worker"))
    db.close()
    file = _backup(runner, tmp_path)
    engine = app.extensions["rhc_database"].engine
    before = _raw_dump(engine)
    data = bytearray(file.read_bytes())
    data[-100] ^= 0x01
    file.write_bytes(bytes(data))
    result = runner.invoke(args=["restore", str(file)])
    assert result.exit_code != 0 and "SHA-256 differs" in result.output
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database")
    result = runner.invoke(args=["restore", str(foreign)])
    assert result.exit_code != 0 and "not an rhc_app backup" in result.output
    assert _raw_dump(engine) == before
    _refused("a changed file")
    _refused("a foreign file")


def _refused(what):
    REFUSALS.add(what)
    report("backup refusals", f"restore of {', '.join(sorted(REFUSALS))} refused with a clear "
           "message; every row unchanged")


def test_backup_refuses_to_overwrite(world, app, runner, tmp_path):
    existing = tmp_path / "keep.db"
    existing.write_text("an earlier backup")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert existing.read_text() == "an earlier backup"
    assert not (tmp_path / "keep.db.meta.json").exists()
    # A stray sidecar also stops it, and no half-made backup is left behind.
    (tmp_path / "new.db.meta.json").write_text("{}")
    result = runner.invoke(args=["backup", str(tmp_path / "new.db")])
    assert result.exit_code != 0 and "exists already" in result.output
    assert not (tmp_path / "new.db").exists()
    assert (tmp_path / "new.db.meta.json").read_text() == "{}"
