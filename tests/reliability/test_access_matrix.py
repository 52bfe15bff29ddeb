"""Every route, for every role, against records of the user's own organisation, another
worker's, a colleague's who shares the child but not the conversation, and another
organisation's. Built from the app's URL map, so a new route is covered the day it is added:
a record not theirs answers 404 (never 403), and a refused request changes nothing in the
database (every table's rows compared before and after)."""

import pyotp
import pytest

from rhc_app.services import covering
from rhc_app.store.models import Conversation, FollowUpAction, User
from rhc_app.web import PUBLIC_ENDPOINTS
from tests.conftest import Auth, csrf_from, make_case, make_user
from tests.db_snapshot import assert_unchanged, database_rows
from tests.reliability_plugin import report

ID_PARAMS = {"conversation_id", "child_id", "episode_id", "user_id"}
CASE_PARAMS = {"conversation_id", "child_id", "episode_id"}
FILL = {"kind": "police", "action": "disable"}
MANAGER_ONLY = {"conversations.allocate", "conversations.share",
                "conversations.sign_off_conversation", "oversight.senior_manager_told",
                "reports.close_offer_page",  # closing an offer: a manager's decision
                # and only for an account awaiting approval (tests/reliability/test_attack_admin_reach.py)
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
    # A colleague who holds another episode of the same child: sees the child, not this one.
    north = world.orgs["north"]
    north.users["sibling"] = make_user(db, north.org, "sibling@north.example.org",
                                       "Sibling North", "worker")
    make_case(db, north.users["sibling"], ref="MX-1")
    # The holder's conversation covers another episode of the child (issue 17): a link to detach.
    again = make_case(db, holder, ref="MX-1", reported_hours_ago=20, found_hours_ago=5)
    link = covering.attach(db, holder, db.get(Conversation, episode.conversation.id),
                           db.get(Conversation, again.conversation.id))
    # The exploitation lead sees connections, never a case record not shared with them.
    north.users["lead"] = make_user(db, north.org, "lead@north.example.org", "Lead North",
                                    "exploitation_lead")
    action = FollowUpAction(organisation_id=north.org.id, kind="health", owner_id=holder.id,
                            conversation_id=episode.conversation.id)
    db.add(action)
    db.commit()
    return {"conversation_id": episode.conversation.id, "child_id": episode.child_id,
            "episode_id": episode.id, "user_id": world.user("north", "worker2").id,
            "action_id": action.id, "link_id": link.id}


# (org, who) -> which kinds of route they may reach on north's records
MATRIX = {"requests": 0, "users": 0}

ALLOWED = {
    ("north", "worker"): {"case", "child"},   # holds the conversation
    ("north", "manager"): {"case", "child"},
    ("north", "admin"): {"user"},
    ("north", "worker2"): set(),              # another worker: not held, not shared
    ("north", "sibling"): {"child"},          # shares the child, not the conversation
    ("north", "lead"): set(),                 # the exploitation lead: connections only
    ("south", "worker"): set(),
    ("south", "manager"): set(),
    ("south", "admin"): set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED), ids=lambda w: f"{w[0]}-{w[1]}")
def test_matrix(app, world, db, records, who):
    user = world.user(*who)
    client, token = _sign_in(app, db, user)
    checked = 0
    for rule, method in _rules(app):
        kind = _kind(rule, user)
        url = _url(rule, records)
        allowed = kind in ALLOWED[who]
        before = None
        if not allowed:
            client.get("/account")  # shows (and so clears) the last answer's flash message
            before = database_rows(db)
        if method == "GET":
            r = client.get(url)
        else:
            r = client.post(url, data={"csrf_token": token})
        checked += 1
        if allowed:
            assert r.status_code != 404, (who, method, url)
            assert r.status_code < 500, (who, method, url, r.status_code)
        else:
            assert r.status_code == 404, (who, method, url, r.status_code)
            assert_unchanged(before, db, (who, method, url))
    assert checked >= 20
    MATRIX["requests"] += checked
    MATRIX["users"] += 1
    report("access", f"{MATRIX['requests']} requests: every route, for {MATRIX['users']} users "
           "(worker, another worker, a worker sharing the child but not the conversation, "
           "manager, exploitation lead, admin of the record's organisation and of another): the expected answer, "
           "404 for records not theirs, no row of any table changed by a refusal")


def _kind(rule, user) -> str:
    """Which records a route reaches: a conversation or episode ("case"), a child, a user."""
    if rule.endpoint in MANAGER_ONLY and user.role != "manager":
        return "manager-only"
    if set(rule.arguments) & {"conversation_id", "episode_id"}:
        return "case"
    return "child" if "child_id" in rule.arguments else "user"


def test_every_protected_route_needs_sign_in(app, client, records):
    for rule, method in _rules(app):
        url = _url(rule, records)
        r = client.get(url) if method == "GET" else client.post(url)
        assert r.status_code in (302, 401), (method, url)
        assert "/sign-in" in r.headers.get("Location", "/sign-in")
    for url in ("/", "/children", "/team", "/reports/quarterly", "/admin/users", "/account"):
        assert client.get(url).status_code == 302
