"""Every route, for every role, against records of the user's own organisation, another
worker's and another organisation's. Built from the app's URL map, so a new route is covered
the day it is added: another organisation's record answers 404 (never 403), and
nothing is changed by a refused request."""

import pyotp
import pytest
from sqlalchemy import func, select

from rhc_app import PUBLIC_ENDPOINTS
from rhc_app.models import AuditEvent, User
from tests.conftest import Auth, csrf_from, make_case
from tests.reliability_plugin import report

ID_PARAMS = {"conversation_id", "child_id", "episode_id", "user_id"}
CASE_PARAMS = {"conversation_id", "child_id", "episode_id"}
FILL = {"kind": "police", "action": "disable"}
MANAGER_ONLY = {"conversations.allocate", "conversations.share",
                "conversations.sign_off_conversation",
                # and only for an account awaiting approval (tests/test_attack_admin_reach.py)
                "reports.approve_account", "reports.refuse_account"}


def _rules(app):
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or not (set(rule.arguments) & ID_PARAMS):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule, method))
    return out


def _url(rule, ids):
    values = {a: ids.get(a, FILL.get(a)) for a in rule.arguments}
    return rule.build(values)[1]


def _sign_in(app, db, user):
    client = app.test_client()
    auth = Auth(client)
    code = ""
    if user.role == "admin":
        secret = pyotp.random_base32()
        db.get(User, user.id).totp_secret = secret
        db.commit()
        code = pyotp.TOTP(secret).now()
    assert auth.sign_in(user, code=code).status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    return client, token


@pytest.fixture
def records(world, db):
    holder = world.user("north", "worker")
    episode = make_case(db, holder, name="Matrix Testchild", ref="MX-1")
    return {"conversation_id": episode.conversation.id, "child_id": episode.child_id,
            "episode_id": episode.id, "user_id": world.user("north", "worker2").id}


# (org, who) -> which kinds of route they may reach on north's records
MATRIX = {"requests": 0, "users": 0}

ALLOWED = {
    ("north", "worker"): {"case"},       # holds the conversation
    ("north", "manager"): {"case"},
    ("north", "admin"): {"user"},
    ("north", "worker2"): set(),         # another worker: not held, not shared
    ("south", "worker"): set(),
    ("south", "manager"): set(),
    ("south", "admin"): set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED), ids=lambda w: f"{w[0]}-{w[1]}")
def test_matrix(app, world, db, records, who):
    user = world.user(*who)
    client, token = _sign_in(app, db, user)
    audit_before = db.scalar(select(func.count()).select_from(AuditEvent))
    checked = 0
    for rule, method in _rules(app):
        kind = "case" if set(rule.arguments) & CASE_PARAMS else "user"
        if rule.endpoint in MANAGER_ONLY and user.role != "manager":
            kind = "manager-only"
        url = _url(rule, records)
        if method == "GET":
            r = client.get(url)
        else:
            r = client.post(url, data={"csrf_token": token})
        checked += 1
        if kind in ALLOWED[who]:
            assert r.status_code != 404, (who, method, url)
            assert r.status_code < 500, (who, method, url, r.status_code)
        else:
            assert r.status_code == 404, (who, method, url, r.status_code)
    assert checked >= 20
    MATRIX["requests"] += checked
    MATRIX["users"] += 1
    report("access", f"{MATRIX['requests']} requests: every route, for {MATRIX['users']} users "
           "(worker, another worker, manager, admin of the record's organisation and of another): "
           "the expected answer, 404 for records not theirs, nothing written by a refusal")
    if not ALLOWED[who]:
        # refused requests wrote nothing but their own sign-in
        db.rollback()
        db.expire_all()
        actions = db.execute(select(AuditEvent.action).where(AuditEvent.seq > audit_before)
                             ).scalars().all()
        assert set(actions) <= {"sign_in", "totp_enabled"}, actions


def test_every_protected_route_needs_sign_in(app, client, records):
    for rule, method in _rules(app):
        url = _url(rule, records)
        r = client.get(url) if method == "GET" else client.post(url)
        assert r.status_code in (302, 401), (method, url)
        assert "/sign-in" in r.headers.get("Location", "/sign-in")
    for url in ("/", "/children", "/team", "/reports/quarterly", "/admin/users", "/account"):
        assert client.get(url).status_code == 302
