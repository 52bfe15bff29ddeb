"""Finding 5: someone who can write the database, but holds no key, rewrites the audit log.

Each attack works on the database directly (as on a stolen or backup copy): it deletes what it
wants gone and recomputes the chain. The chain is keyed (HMAC under the key ring's audit key),
so a recomputed chain does not verify; removing the newest events leaves a valid but shorter
chain, which an anchor taken earlier (`rhc audit anchor`) catches.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from contextlib import contextmanager
from datetime import UTC

import pytest
from sqlalchemy import delete, func, select, update

from rhc_app import create_app
from rhc_app.crypto import KeyRing
from rhc_app.security import audit
from rhc_app.store.models import AuditEvent
from tests.conftest import config_for, make_case, prepare_database
from tests.helpers_security import disposing_engines, refusal
from tests.reliability_plugin import attack_refused

HIDDEN = ("pdf_police", "pdf_child", "episode_edited", "conversation_amended")


def _history(world, db) -> None:
    """An organisation's ordinary day: cases, edits, PDFs and an amendment among them."""
    worker = world.user("north", "worker")
    for _ in range(3):
        episode = make_case(db, worker)
        conv_id = episode.conversation.id
        for action in ("episode_edited", "conversation_viewed", "pdf_police", "pdf_child",
                       "conversation_amended", "conversation_viewed"):
            audit.record(db, action, user_id=worker.id, org_id=worker.organisation_id,
                         record_type="conversation", record_id=conv_id)
        db.commit()


def _events(db) -> list[AuditEvent]:
    db.rollback()
    return list(db.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())


def _message(prev: str, e: AuditEvent) -> bytes:
    """The fields the chain covers, as the attacker reads them from the source code."""
    at = e.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = [prev, at, e.user_id or "", e.organisation_id or "", e.action,
             e.record_type or "", e.record_id or "", e.detail or ""]
    return "\x1f".join(parts).encode("utf-8")


def _sha256(prev: str, e: AuditEvent) -> str:
    return hashlib.sha256(_message(prev, e)).hexdigest()


def _rewrite(db, digest, *, drop=HIDDEN) -> int:
    """Delete the events with the `drop` actions and re-link the rest with `digest`."""
    db.execute(delete(AuditEvent).where(AuditEvent.action.in_(drop)))
    db.commit()
    prev = audit.GENESIS
    kept = _events(db)
    # Park every prev_hash on a unique placeholder first (the column is unique).
    for e in kept:
        db.execute(update(AuditEvent).where(AuditEvent.seq == e.seq)
                   .values(prev_hash=f"{e.seq:064d}"))
    for e in kept:
        new = digest(prev, e)
        db.execute(update(AuditEvent).where(AuditEvent.seq == e.seq)
                   .values(prev_hash=prev, hash=new))
        prev = new
    db.commit()
    return len(kept)


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


def test_recomputed_sha256_chain_after_deleting_events_is_broken(world, db, runner):
    _history(world, db)
    assert _verify(runner).exit_code == 0
    kept = _rewrite(db, _sha256)
    assert kept and not any(e.action in HIDDEN for e in _events(db))
    result = _verify(runner)
    assert result.exit_code != 0, result.output
    assert "intact" not in result.output
    assert "event 1:" in result.output or "no event is keyed" in result.output
    assert not audit.verify(db).ok
    attack_refused("finding 5: PDF, episode_edited and amendment events deleted, chain "
                   "recomputed with SHA-256")


def test_chain_recomputed_with_a_wrong_key_is_broken(world, db, runner):
    _history(world, db)
    wrong = KeyRing.generate()
    _rewrite(db, lambda prev, e: wrong.audit_mac(_message(prev, e)))
    result = _verify(runner)
    assert result.exit_code != 0, result.output
    assert "changed" in result.output
    attack_refused("finding 5: events deleted, chain recomputed with HMAC under a wrong key")


def test_chain_recomputed_as_an_unkeyed_log_closed_by_a_forged_keyed_event(world, db, runner):
    """The attacker imitates a log from before the chain was keyed, with its closing event."""
    _history(world, db)
    _rewrite(db, _sha256)
    worker = world.user("north", "worker")
    last = _events(db)[-1]
    forged = AuditEvent(at=last.at, user_id=None, organisation_id=worker.organisation_id,
                        action=audit.KEYED, detail="closes 9 earlier unkeyed events",
                        prev_hash=last.hash)
    forged.hash = hmac.new(os.urandom(32), _message(last.hash, forged), "sha256").hexdigest()
    db.add(forged)
    db.commit()
    assert _verify(runner).exit_code != 0
    assert not audit.verify(db).ok
    attack_refused("finding 5: chain recomputed as a pre-keying log with a forged closing event")


def test_unkeyed_events_appended_to_a_keyed_chain_are_refused(world, db, runner):
    _history(world, db)
    last = _events(db)[-1]
    fake = AuditEvent(at=last.at, action="pdf_police", record_type="conversation",
                      record_id="x" * 32, prev_hash=last.hash)
    fake.hash = _sha256(last.hash, fake)
    db.add(fake)
    db.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert f"event {fake.seq}" in result.output
    attack_refused("finding 5: an unkeyed event appended after the keyed chain")


def _anchor(runner, *args) -> str:
    result = runner.invoke(args=["audit", "anchor", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_anchor_prints_head_and_count_and_verify_reaches_it(world, db, runner, tmp_path):
    _history(world, db)
    count = db.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    anchor = _anchor(runner)
    head, _, n = anchor.partition(":")
    assert int(n) == count and head == _events(db)[-1].hash
    worker = world.user("north", "worker")
    make_case(db, worker)  # the log grows after the anchor: still reaches it
    result = _verify(runner, "--anchor", anchor)
    assert result.exit_code == 0, result.output
    assert f"newest at event {count}" in result.output
    anchors = tmp_path / "off-server" / "anchors.txt"
    anchors.parent.mkdir()
    _anchor(runner, "--file", str(anchors))
    _anchor(runner, "--file", str(anchors))
    assert oct(anchors.stat().st_mode & 0o777) == "0o600"
    assert len(anchors.read_text().splitlines()) == 2
    assert _verify(runner, "--anchor-file", str(anchors)).exit_code == 0


def test_removing_the_newest_events_is_caught_by_the_anchor(world, db, runner, tmp_path):
    _history(world, db)
    anchors = tmp_path / "anchors.txt"
    anchor = _anchor(runner, "--file", str(anchors))
    newest = _events(db)[-4:]
    db.execute(delete(AuditEvent).where(AuditEvent.seq >= newest[0].seq))
    db.commit()
    assert _verify(runner).exit_code == 0  # a shorter chain is still a valid chain...
    for args in (("--anchor", anchor), ("--anchor-file", str(anchors))):
        result = _verify(runner, *args)
        assert result.exit_code != 0, result.output
        assert "newest events were removed" in result.output
    attack_refused("finding 5: the newest events deleted (caught by the anchor)")


def test_whole_log_deleted_is_caught_by_the_anchor(world, db, runner):
    _history(world, db)
    anchor = _anchor(runner)
    db.execute(delete(AuditEvent))
    db.commit()
    result = _verify(runner, "--anchor", anchor)
    assert result.exit_code != 0 and "removed" in result.output
    attack_refused("finding 5: the whole audit log deleted (caught by the anchor)")


def test_anchor_refuses_a_broken_chain_and_bad_anchor_text(world, db, runner):
    _history(world, db)
    _rewrite(db, _sha256)
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code != 0 and "no anchor made" in result.output
    result = _verify(runner, "--anchor", "not-an-anchor")
    assert result.exit_code != 0 and "HASH:COUNT" in result.output


def test_an_anchor_the_chain_does_not_pass_through_is_refused(world, db, runner):
    _history(world, db)
    result = _verify(runner, "--anchor", "f" * 64 + ":3")
    assert result.exit_code != 0 and "not the one anchored as event number 3" in result.output


# -- a log written before the chain was keyed ------------------------------------------------
def _legacy_log(db, n: int = 5) -> None:
    """Events as the code before this change wrote them: plain SHA-256."""
    db.execute(delete(AuditEvent))
    prev = audit.GENESIS
    for i in range(n):
        e = AuditEvent(at=audit.utcnow(), action="sign_in", detail=f"old event {i}",
                       prev_hash=prev)
        e.hash = _sha256(prev, e)
        db.add(e)
        db.flush()
        prev = e.hash
    db.commit()


@contextmanager
def _cli(instance, url):
    with disposing_engines():
        app = create_app(config_for(instance, url), require_keys=False)
        try:
            yield app.test_cli_runner()
        finally:
            app.extensions["rhc_database"].dispose()


@pytest.fixture
def legacy(instance, sqlite_template, pg_migrated):
    """An instance from before the chain was keyed: an unkeyed log, a key ring that does not
    record where the keyed chain begins."""
    from rhc_app.store.db import make_engine, make_sessionmaker

    new = KeyRing.generate()
    old = KeyRing(new.keys, new.active, new.index_key, None)
    old.save(instance / "keys.json")
    assert "audit_unkeyed_events" not in (instance / "keys.json").read_text()
    url = prepare_database(instance, old, sqlite_template)
    engine = make_engine(url)
    session = make_sessionmaker(engine, old)()
    _legacy_log(session)
    yield url, session
    session.close()
    engine.dispose()


def _recorded(instance) -> int | None:
    return KeyRing.load(instance / "keys.json").audit_unkeyed_events


def test_unkeyed_log_is_closed_by_init_and_then_verifies(instance, legacy):
    url, s = legacy
    assert "rhc init" in str(refusal(instance, url))  # the app waits for the operator's step
    with _cli(instance, url) as runner:
        assert "rhc init" in _verify(runner).output
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert "the 5 earlier events" in result.output
        assert _recorded(instance) == 5
    with _cli(instance, url) as runner:
        result = _verify(runner)
        assert result.exit_code == 0, result.output
        assert "intact: 6 events" in result.output
        again = runner.invoke(args=["init"])  # safe to run again: nothing more is appended
        assert again.exit_code == 0 and "now keyed" not in again.output
    assert len(_events(s)) == 6 and _events(s)[-1].action == audit.KEYED
    create_app(config_for(instance, url)).extensions["rhc_database"].dispose()  # starts now


def test_rewriting_the_closed_unkeyed_prefix_is_refused(instance, legacy):
    url, s = legacy
    with _cli(instance, url) as runner:
        assert runner.invoke(args=["init"]).exit_code == 0
    with _cli(instance, url) as runner:
        old = [e for e in _events(s) if e.action != audit.KEYED]
        s.execute(delete(AuditEvent).where(AuditEvent.seq == old[1].seq))
        s.commit()
        _rewrite(s, _sha256, drop=())
        assert _verify(runner).exit_code != 0
        attack_refused("finding 5: the unkeyed prefix of an upgraded log deleted from and "
                       "recomputed")


def test_a_forged_unkeyed_log_is_not_closed_again_by_init(instance, legacy):
    """After the upgrade, the attacker replaces the whole log with a short unkeyed one, hoping
    the operator's next `rhc init` keys it: the key ring already records the old length."""
    url, s = legacy
    with _cli(instance, url) as runner:
        assert runner.invoke(args=["init"]).exit_code == 0
    _legacy_log(s, n=3)
    with _cli(instance, url) as runner:
        result = _verify(runner)
        assert result.exit_code != 0 and "no event is keyed" in result.output
        assert runner.invoke(args=["init"]).exit_code == 0
        assert _verify(runner).exit_code != 0
    assert _recorded(instance) == 5
    attack_refused("finding 5: the log replaced by a forged unkeyed one after the upgrade")


def test_events_stay_verifiable_after_key_rotation(world, db, runner, instance):
    """The audit key is derived from the index key, which `rhc keys rotate` keeps."""
    _history(world, db)
    before = KeyRing.load(instance / "keys.json")
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    after = KeyRing.load(instance / "keys.json")
    assert after.active != before.active
    assert after.audit_mac(b"x") == before.audit_mac(b"x")
    assert after.audit_unkeyed_events == 0
    result = _verify(runner)
    assert result.exit_code == 0, result.output
