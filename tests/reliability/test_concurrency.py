"""Twenty tablets autosave one conversation at once, fifty times each, through the web app, each
from the version it last saw. Every save is applied or answered as a conflict; none is lost
silently: the applied saves hold consecutive versions, each exactly once, the stored canvas is
the one with the highest, and whoever was refused last still has typed text kept as a draft."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from rhc_app.security import audit
from rhc_app.services.conversations import record_outcome
from rhc_app.store.models import AuditEvent, Conversation, ConversationShare, Draft
from tests.conftest import PG_URL, Auth, csrf_from, make_case, make_user, now
from tests.reliability_plugin import report

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL only: SQLite takes one writer at a time, so the races this "
                       "checks (concurrent compare-and-swap, audit chain appends) cannot happen")

THREADS, SAVES = 20, 50


def _accepted_conversation(db, world):
    holder = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, holder).conversation.id)
    record_outcome(db, holder, conv, "accepted", now() - timedelta(hours=1))
    db.commit()
    return conv


def _tablets(app, db, conv, users):
    """A signed-in client, CSRF token and session key (the session row's) per tablet."""
    db.commit()
    out = []
    for u in users:
        client = app.test_client()
        assert Auth(client).sign_in(u).status_code == 302
        page = client.get(f"/conversations/{conv.id}/canvas")
        assert page.status_code == 200, page.status_code
        key = hashlib.sha256(client.get_cookie("rhc_session").value.encode()).hexdigest()
        out.append((u.id, client, csrf_from(page.get_data(as_text=True)), key))
    return out


def _storm(conv_id, tablets, initial):
    """Every tablet autosaves SAVES times, from the version it last saw; all start together."""
    results: list[list[tuple[int, int, dict, str]]] = [[] for _ in tablets]
    errors: list[BaseException] = []
    start = threading.Barrier(len(tablets))

    def tablet(i: int) -> None:
        _, client, token, _ = tablets[i]
        seen = initial
        try:
            start.wait(timeout=60)
            for j in range(SAVES):
                text = f"Tablet {i} note {j}: said they slept at a friend's"
                r = client.post(f"/conversations/{conv_id}/autosave", data={
                    "csrf_token": token, "base_version": str(seen), "area-victims": text})
                body = r.get_json(silent=True) or {}
                results[i].append((seen, r.status_code, body, text))
                if r.status_code not in (200, 409):
                    return
                seen = body["version"]
        except BaseException as exc:  # re-raised in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=tablet, args=(i,), daemon=True) for i in range(len(tablets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "autosaves still running after 5 minutes"
    assert not errors, errors
    return results


def _check_none_lost(app, conv_id, tablets, results, initial, label):
    answers = [a for per in results for a in per]
    kinds = Counter((code, body.get("status")) for _, code, body, _ in answers)
    assert set(kinds) <= {(200, "saved"), (409, "conflict")}, kinds
    assert len(answers) == len(tablets) * SAVES
    applied = [(body["version"], base, text) for per in results for base, code, body, text in per
               if code == 200]
    conflicts = [(body["version"], base) for per in results for base, code, body, _ in per if code == 409]
    with app.extensions["rhc_database"].factory() as s:
        stored = s.get(Conversation, conv_id)
        final = stored.version
        # Each applied save moved the version on by one from the version it was based on, and
        # every version from the first to the last was given to exactly one save.
        assert all(v == base + 1 for v, base, _ in applied)
        assert sorted(v for v, _, _ in applied) == list(range(initial + 1, final + 1))
        assert len(applied) == final - initial
        assert all(v > base for v, base in conflicts)  # refused only because someone saved first
        for per in results:  # each tablet's versions strictly increase
            seen = [base for base, *_ in per] + [per[-1][2]["version"]]
            assert all(a < b for a, b in zip(seen, seen[1:], strict=False)), seen
        assert stored.canvas["areas"]["victims"] == max(applied)[2]
        # Refused last, every tablet still has its own last typed text kept as its draft, to
        # merge, even when one worker holds all twenty (drafts are per browser session).
        for (user_id, _, _, key), per in zip(tablets, results, strict=True):
            if per[-1][1] == 409:
                draft = s.get(Draft, (conv_id, user_id, key))
                assert draft is not None, "a refused save's text was not kept"
                assert json.loads(draft.payload)["areas"]["victims"] == per[-1][3]
        saved_events = s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "conversation_saved", AuditEvent.record_id == conv_id)).scalar_one()
        assert saved_events == len(applied)
        assert audit.verify(s).ok, "the audit chain broke under concurrent appends"
    report(f"concurrency ({label})", f"{len(answers)} autosaves from {len(tablets)} tablets on PostgreSQL: "
           f"{len(applied)} applied (versions {initial + 1}..{final}), {len(conflicts)} conflicts, 0 lost")


def test_twenty_workers_sharing_a_conversation_lose_nothing(app, world, db):
    conv = _accepted_conversation(db, world)
    org = world.orgs["north"].org
    cover = [make_user(db, org, f"cover{i}@north.example.org", f"Cover Worker {i}", "worker")
             for i in range(THREADS - 1)]
    for u in cover:
        db.add(ConversationShare(conversation_id=conv.id, user_id=u.id))
    tablets = _tablets(app, db, conv, [world.user("north", "worker"), *cover])
    initial = conv.version
    db.close()
    _check_none_lost(app, conv.id, tablets, _storm(conv.id, tablets, initial), initial,
                     "20 workers")


def test_one_worker_on_twenty_tablets_loses_nothing(app, world, db):
    conv = _accepted_conversation(db, world)
    tablets = _tablets(app, db, conv, [world.user("north", "worker")] * THREADS)
    initial = conv.version
    db.close()
    _check_none_lost(app, conv.id, tablets, _storm(conv.id, tablets, initial), initial,
                     "one worker, 20 tablets")
