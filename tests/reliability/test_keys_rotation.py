"""`rhc keys rotate` over more than 10,000 records, then the old key removed: a later process
holding only the new key opens every sealed value of every row, each as it was."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from rhc_app.crypto import KeyRing
from rhc_app.services.conversations import save_canvas
from rhc_app.store.models import SEALED_MODELS, Conversation, User
from tests.conftest import now
from tests.helpers_security import started
from tests.reliability.test_backup import _sealed_snapshot
from tests.reliability_plugin import report
from tests.services.test_cli import _blobs
from tests.services.test_import_reports import HEADER

ROWS = 3_400  # each a child, an episode and its conversation: over 10,000 records
WITH_NOTES = 150


def _dataset(path, rng):
    """Invented children, each with one episode; most offered a conversation, many held."""
    t0 = now().replace(microsecond=0) - timedelta(days=400)
    lines = [HEADER]
    for i in range(ROWS):
        reported = t0 + timedelta(hours=2 * i)
        found = reported + timedelta(hours=rng.randint(2, 60))
        outcome = rng.choice(("accepted", "accepted", "declined", "not_completed", ""))
        held = (found + timedelta(hours=rng.randint(1, 90))).isoformat() if outcome == "accepted" else ""
        lines.append(",".join((
            f"ROT-{i:05d}", f"Rotaly Child{i:05d}",
            f"20{rng.randint(8, 15):02d}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            rng.choice(("female", "male", "other", "not_recorded")), "White British",
            rng.choice(("yes", "no")), f"ROT-E{i:05d}", reported.isoformat(), found.isoformat(),
            rng.choice(("low", "medium", "high")),
            (found + timedelta(hours=1)).isoformat() if outcome else "", outcome, held,
            "criminal_activity;bullied" if outcome == "accepted" else "")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _notes(db, worker_id):
    """Full notes on some of the held conversations (people, places, quick notes)."""
    worker = db.get(User, worker_id)
    held = db.execute(select(Conversation).where(Conversation.outcome == "accepted")
                      .order_by(Conversation.id).limit(WITH_NOTES)).scalars().all()
    for i, conv in enumerate(held):
        conv.worker_id, conv.status = worker.id, "in_progress"  # imported as completed
        canvas = {"areas": {"victims": f"Note {i}: said a friend was hurt", "locations": "By the canal"},
                  "people": [{"name": f"Person {i} (invented)", "concern": "yes"}],
                  "places": [{"name": f"Place {i} (invented)", "slept_there": "yes"}],
                  "notes": [{"text": f"Quick note {i}", "area": "themes", "at": ""}]}
        assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()


def test_rotate_over_ten_thousand_records_then_remove_the_old_key(world, app, runner, db, instance,
                                                                   tmp_path):
    file = tmp_path / "episodes.csv"
    _dataset(file, random.Random(11))
    imported = runner.invoke(args=["import", "episodes", str(file), "--org", "north"])
    assert imported.exit_code == 0, imported.output
    _notes(db, world.user("north", "worker").id)
    db.rollback()
    before = _sealed_snapshot(db)
    records = {m.__name__: db.execute(select(func.count()).select_from(m)).scalar_one()
               for m in SEALED_MODELS}
    assert sum(records.values()) >= 10_000, records
    old = KeyRing.load(instance / "keys.json")
    db.close()

    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    url = app.extensions["rhc_database"].url
    with started(instance, url) as second:
        removed = second.test_cli_runner().invoke(args=["keys", "remove", old.active])
        assert removed.exit_code == 0, removed.output
    ring = KeyRing.load(instance / "keys.json")
    assert old.active not in ring.keys and len(ring.keys) == 1

    with started(instance, url) as third:  # only the new key: every value opens, as it was
        with third.extensions["rhc_database"].factory() as s:
            blobs = list(_blobs(s))
            assert {ring.key_id_of(blob) for *_, blob in blobs} == {ring.active}
            after = _sealed_snapshot(s)
    assert after == before
    values = sum(1 for row in before.values() for v in row.values() if v not in (None, "", {}, []))
    report("keys", f"rhc keys rotate over {sum(records.values()):,} records ({len(blobs):,} sealed "
           f"values), old key removed: every value opens with the new key alone, unchanged "
           f"({values:,} non-empty values compared)")
