"""Finding 2 of issue 11: a write reached by a method other than POST.

Flask answers HEAD with the GET view and Flask-WTF checks no CSRF token on HEAD, so a view that
treated "not GET" as its write path could be driven without a token. Here HEAD, PUT, PATCH,
DELETE and OPTIONS go to every route of the URL map, with ids of real records and a form body
that would be a valid write if it were a POST, as a signed-in worker, manager and
administrator: no table changes and nothing answers 500."""

from __future__ import annotations

import itertools
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, text

from rhc_app.services import covering
from rhc_app.store.models import AuditEvent, Base, Conversation, FollowUpAction, User
from tests.conftest import Auth, csrf_from, make_case
from tests.reliability_plugin import attack_refused

METHODS = ("HEAD", "PUT", "PATCH", "DELETE", "OPTIONS")
# The web session's row changes on every request (last seen, flashes) and reads are audited:
# those two tables are compared separately below.
SEPARATE = {"web_session", "audit_event"}


def _sign_in(app: Any, db: Any, member: User) -> tuple[Any, str]:
    client = app.test_client()
    code = ""
    if member.role == "admin":
        secret = pyotp.random_base32()
        db.get(User, member.id).totp_secret = secret
        db.commit()
        code = pyotp.TOTP(secret).now()
    assert Auth(client).sign_in(member, code=code).status_code == 302
    return client, csrf_from(client.get("/account").get_data(as_text=True))


def _tables(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the two compared separately, in a stable order."""
    out = {}
    for table in Base.metadata.sorted_tables:
        if table.name in SEPARATE:
            continue
        rows = db.execute(select(table)).all()
        out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    db.commit()  # end the read: the app's next request must not wait on this session
    return out


def _audit_actions(db: Any, after: int) -> list[str]:
    actions = list(db.execute(select(AuditEvent.action).where(AuditEvent.seq > after)).scalars())
    db.commit()
    return actions


def _last_audit(db: Any) -> int:
    value = db.execute(text("SELECT COALESCE(MAX(seq), 0) FROM audit_event")).scalar_one()
    db.commit()
    return int(value)


@pytest.fixture
def records(world: Any, db: Any) -> dict[str, Any]:
    """Conversations in each state a write could start from, held by north's worker."""
    holder = world.user("north", "worker")
    convs = []
    for status in ("accepted", "awaiting_signoff", "completed"):
        episode = make_case(db, holder, name="Method Testchild", ref="MT-1")
        conv = db.get(Conversation, episode.conversation.id)
        conv.status = status
        conv.child_summary = "You told me you were safe." if status == "completed" else None
        convs.append(conv)
    actions = [FollowUpAction(organisation_id=holder.organisation_id, kind="health",
                              owner_id=holder.id, conversation_id=c.id) for c in convs]
    db.add_all(actions)
    # The accepted conversation covers another episode of the child (issue 17).
    again = make_case(db, holder, ref="MT-1", reported_hours_ago=20, found_hours_ago=5)
    link = covering.attach(db, holder, convs[0], db.get(Conversation, again.conversation.id))
    db.commit()
    return {"link_id": [link.id],
            "conversation_id": [c.id for c in convs], "child_id": [convs[0].episode.child_id],
            "action_id": [a.id for a in actions],
            "episode_id": [convs[0].episode_id],
            "user_id": [world.user("north", "worker2").id],
            "action": ["disable", "enable", "reset-password"], "kind": ["police", "child"],
            "token": ["0" * 64],  # a connection (issue 16): its keyed hash
            "section": ["overdue", "decisions"]}  # a section of the team page in full


def _urls(app: Any, ids: dict[str, list[str]]) -> list[str]:
    urls = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        names = sorted(rule.arguments)
        for values in itertools.product(*(ids[n] for n in names)):
            urls.add(rule.build(dict(zip(names, values, strict=True)))[1])
    return sorted(urls)


def _body(token: str, db: Any, world: Any) -> dict[str, str]:
    """Fields of every form in the app, filled as a valid write would be."""
    return {"csrf_token": token, "base_version": "1", "area-victims": "Planted by HEAD",
            "action": "save", "decision": "approve", "reason": "Planted", "confirm": "y",
            "summary": "Planted summary", "worker_id": world.user("north", "worker2").id,
            "query": "Method", "name": "Planted Person", "email": "planted@north.example.org",
            "role": "manager", "case_reference": "PLANT-1", "gender": "female",
            "reported_missing_at": "2026-01-01T10:00", "missing_from": "home",
            "repeat_threshold": "9", "repeat_window_days": "9", "require_signoff": "y",
            "password": "", "current": "correct-horse-staple-battery",
            "new": "a-brand-new-long-passphrase", "confirm_new": "a-brand-new-long-passphrase",
            "code": "000000", "at": "2026-01-01T10:00", "method": "phone",
            "kind": "health", "owner_id": world.user("north", "worker").id, "status": "done",
            "outcome": "Planted outcome", "kinds": "Planted kind"}


@pytest.mark.parametrize("who", ["worker", "manager", "admin"])
def test_no_method_but_post_changes_anything(app, world, db, records, who):
    member = world.user("north", who)
    client, token = _sign_in(app, db, member)
    body = _body(token, db, world)
    tried = 0
    for url in _urls(app, records):
        before = _tables(db)
        mark = _last_audit(db)
        got = client.get(url)
        assert got.status_code < 500, f"GET {url} answered {got.status_code}"
        assert _tables(db) == before, f"GET {url} changed a record"
        read_events = set(_audit_actions(db, mark))
        for method in METHODS:
            mark = _last_audit(db)
            r = client.open(url, method=method, data=body)
            assert r.status_code < 500, f"{method} {url} answered {r.status_code}"
            assert _tables(db) == before, f"{method} {url} changed a record"
            # The same reads as a GET may be audited; nothing else.
            assert set(_audit_actions(db, mark)) <= read_events, f"{method} {url}"
            tried += 1
    assert tried > 100
    attack_refused(f"finding 2: HEAD, PUT, PATCH, DELETE, OPTIONS on every route as {who}")


@pytest.mark.parametrize("action", ["disable", "enable", "reset-password"])
def test_head_does_not_change_a_user(app, world, db, action):
    target = world.user("north", "worker2")
    db.get(User, target.id).active = action != "enable"
    db.get(User, target.id).totp_secret = pyotp.random_base32()
    db.commit()
    client, _token = _sign_in(app, db, world.user("north", "admin"))
    before = _tables(db)
    r = client.head(f"/admin/users/{target.id}/{action}")  # no token, as the attacker sent it
    assert r.status_code == 200  # the confirmation page, nothing more
    assert _tables(db) == before
    refreshed = db.get(User, target.id)
    db.refresh(refreshed)
    assert refreshed.active is (action != "enable") and refreshed.totp_secret
    attack_refused(f"finding 2: HEAD /admin/users/<id>/{action}")


def test_head_does_not_save_the_canvas(app, world, db, records):
    conv_id = records["conversation_id"][0]
    client, token = _sign_in(app, db, world.user("north", "worker"))
    before = _tables(db)
    r = client.head(f"/conversations/{conv_id}/canvas",
                    data={"base_version": "1", "area-victims": "Planted by HEAD"})
    assert r.status_code == 200
    assert _tables(db) == before
    conv = db.get(Conversation, conv_id)
    db.refresh(conv)
    assert conv.version == 1 and conv.status == "accepted"
    attack_refused("finding 2: HEAD /conversations/<id>/canvas with a form body")
    # The same form as a POST (with the token) is still the way to save.
    r = client.post(f"/conversations/{conv_id}/canvas",
                    data={"base_version": "1", "area-victims": "Typed", "csrf_token": token})
    assert r.status_code == 302
    db.refresh(conv)
    assert conv.version == 2 and conv.canvas["areas"]["victims"] == "Typed"
