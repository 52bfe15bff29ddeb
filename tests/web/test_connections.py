"""The connections pages: managers and the exploitation lead only, one organisation's links
only, the list opens nothing and the connection page is audited conversation by conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from rhc_app.domain.uk_time import today_in_london
from rhc_app.services import connections
from rhc_app.store.models import AuditEvent
from tests.conftest import Auth, make_user, now
from tests.services.test_links import held

JAY = {"name": "Jaybird (invented)", "description": "tall, red cap",
       "concern": "texts on 07700 900123"}
JAY_AGAIN = {"name": "JB (invented)", "description": "older lad", "concern": "+44 7700 900123"}


@pytest.fixture
def linked(world, db):
    north = world.user("north", "worker")
    convs = [held(db, north, [JAY]), held(db, world.user("north", "worker2"), [JAY_AGAIN])]
    held(db, world.user("south", "worker"), [JAY])  # another organisation's child
    org = world.orgs["north"].org.id
    (conn,) = connections.all_connections(db, org, now() - timedelta(days=90), now() + timedelta(hours=1))
    return convs, conn


def lead(world, db):
    member = make_user(db, world.orgs["north"].org, "lead@north.example.org", "Lead North",
                       "exploitation_lead")
    db.commit()
    return member


def test_a_manager_sees_the_connection_without_any_name(world, db, auth, client, linked):
    convs, conn = linked
    auth.sign_in(world.user("north", "manager"))
    page = client.get("/connections").get_data(as_text=True)
    assert "1 connection from" in page and "Same phone number" in page
    assert f"/connections/{conn.token}?" in page
    for conv in convs:
        assert f"/conversations/{conv.id}" in page
    assert "Jaybird" not in page and "JB (invented)" not in page  # nothing opened
    assert 'href="/connections"' in page  # in the menu


@pytest.mark.parametrize("who", ["worker", "worker2", "admin"])
def test_workers_and_admins_are_answered_404(world, db, app, linked, who):
    _convs, conn = linked
    client = app.test_client()
    member = world.user("north", who)
    if who == "admin":
        import pyotp

        from rhc_app.store.models import User

        secret = pyotp.random_base32()
        db.get(User, member.id).totp_secret = secret
        db.commit()
        Auth(client).sign_in(member, code=pyotp.TOTP(secret).now())
    else:
        Auth(client).sign_in(member)
    assert client.get("/connections").status_code == 404
    assert client.get(f"/connections/{conn.token}").status_code == 404
    assert 'href="/connections"' not in client.get("/account").get_data(as_text=True)


def test_another_organisation_never_sees_these_links(world, db, auth, client, linked):
    _convs, conn = linked
    auth.sign_in(world.user("south", "manager"))
    page = client.get("/connections").get_data(as_text=True)
    assert "0 connections" in page and conn.token not in page
    assert client.get(f"/connections/{conn.token}").status_code == 404


def test_the_connection_page_opens_the_entries_and_audits_each_conversation(
        world, db, auth, client, linked):
    convs, conn = linked
    manager = world.user("north", "manager")
    auth.sign_in(manager)
    page = client.get(f"/connections/{conn.token}").get_data(as_text=True)
    assert "Jaybird (invented)" in page and "JB (invented)" in page and "older lad" in page
    assert "texts on" not in page  # the concern is not shown, so not opened for the page
    assert "Child 1" in page and "Child 2" in page
    events = db.execute(select(AuditEvent).where(AuditEvent.action == "connection_viewed")
                        ).scalars().all()
    assert {e.record_id for e in events} == {c.id for c in convs}
    assert {e.user_id for e in events} == {manager.id}


def test_the_exploitation_lead_sees_connections_but_opens_no_conversation(
        world, db, app, linked):
    convs, conn = linked
    client = app.test_client()
    Auth(client).sign_in(lead(world, db))
    assert client.get("/").headers["Location"].endswith("/connections")
    page = client.get("/connections").get_data(as_text=True)
    assert f"/connections/{conn.token}?" in page
    assert all(f"/conversations/{c.id}" not in page for c in convs)
    detail = client.get(f"/connections/{conn.token}").get_data(as_text=True)
    assert "Jaybird (invented)" in detail and "Not shared with you" in detail
    assert client.get(f"/conversations/{convs[0].id}").status_code == 404


def test_the_period_is_chosen_with_date_inputs(world, db, auth, client, linked):
    auth.sign_in(world.user("north", "manager"))
    page = client.get("/connections").get_data(as_text=True)
    start = today_in_london() - timedelta(days=90)
    assert f'name="start" type="text" value="{start.day}"' in page \
        or f'value="{start.day}"' in page
    later = today_in_london() + timedelta(days=30)
    r = client.get(f"/connections?start={later.day}&start={later.month}&start={later.year}"
                   f"&end={later.day}&end={later.month}&end={later.year + 1}")
    assert r.status_code == 200 and "0 connections" in r.get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("start=31&start=2&start=2026&end=1&end=3&end=2026", "From must be a real date"),
    ("start=1&start=3&start=2026&end=&end=&end=", "Enter the date to show connections to"),
    ("start=2&start=3&start=2026&end=1&end=3&end=2026", "must be the same as or after"),
])
def test_a_wrong_date_is_explained_next_to_its_field(world, db, auth, client, linked, query,
                                                      message):
    auth.sign_in(world.user("north", "manager"))
    r = client.get(f"/connections?{query}")
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and message in page
    assert "govuk-error-summary" in page and "govuk-error-message" in page
    assert 'value="2026"' in page  # what was typed is given back


def test_a_token_that_is_not_one_is_not_found(world, db, auth, client, linked):
    auth.sign_in(world.user("north", "manager"))
    assert client.get("/connections/" + "0" * 64).status_code == 404
    assert client.get("/connections/not-a-token").status_code == 404


def test_an_administrator_adds_an_exploitation_lead_a_manager_approves(world, db, auth):
    import pyotp

    from rhc_app.store.models import User

    admin = world.user("north", "admin")
    secret = pyotp.random_base32()
    db.get(User, admin.id).totp_secret = secret
    db.commit()
    auth.sign_in(admin, code=pyotp.TOTP(secret).now())
    form = auth.client.get("/admin/users/new").get_data(as_text=True)
    assert "Exploitation lead" in form
    r = auth.post("/admin/users/new", {"name": "Lee Lead", "email": "lee@north.example.org",
                                       "role": "exploitation_lead"})
    assert r.status_code == 200 and 'id="first-half"' in r.get_data(as_text=True)
    db.rollback()
    new = db.execute(select(User).where(User.email_index == db.info["keyring"].index(
        "email", "lee@north.example.org"))).scalar_one()
    assert new.role == "exploitation_lead"
    assert new.awaiting_approval and new.two_step_required  # sees what children said


def test_signed_out_the_pages_ask_to_sign_in(client):
    for url in ("/connections", "/connections/" + "0" * 64):
        r = client.get(url)
        assert r.status_code == 302 and "/sign-in" in r.headers["Location"]


def test_hotspots_page_names_the_places_and_audits_what_it_opened(world, db, auth, client):
    garage = {"name": "The old garage (invented)", "area": "M1 2AB", "slept_there": "yes"}
    convs = [held(db, world.user("north", "worker"), places=[garage]),
             held(db, world.user("north", "worker2"), places=[{**garage, "area": "M1"}])]
    auth.sign_in(world.user("north", "manager"))
    page = client.get("/hotspots").get_data(as_text=True)
    assert "The old garage (invented)" in page and "Postcode district" in page
    assert ">M1<" in page and "Named place" in page and "Up" in page
    opened = set(db.execute(select(AuditEvent.record_id).where(
        AuditEvent.action == "hotspots_viewed")).scalars())
    assert opened and opened <= {c.id for c in convs}
    bad = client.get("/hotspots?start=1&start=13&start=2026&end=1&end=1&end=2026")
    assert bad.status_code == 400 and "From must be a real date" in bad.get_data(as_text=True)


def test_workers_get_404_on_hotspots(world, db, auth, client):
    auth.sign_in(world.user("north", "worker"))
    assert client.get("/hotspots").status_code == 404


def test_the_exploitation_lead_meets_no_error_on_any_page(world, db, app, linked):
    """Every page without a record's id: the lead is answered, refused or sent on, never a
    500, and sees no child's name (they hold no conversations)."""
    client = app.test_client()
    Auth(client).sign_in(lead(world, db))
    gets = [r for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments
            and r.endpoint not in ("static", "auth.sign_out")]
    assert len(gets) > 10
    for rule in gets:
        r = client.get(rule.rule)
        assert r.status_code < 500, (rule.rule, r.status_code)
        if r.mimetype == "application/pdf":  # the panel pack: its text is tested in test_sharing
            continue
        assert "Robin Testchild" not in r.get_data(as_text=True), rule.rule


def test_the_list_is_paged_and_keeps_its_period(world, db, auth, client, monkeypatch):
    """50 a page in the app; 1 here, with two connections (the same two children naming two
    people): page 2 exists, page 3 says there is no such page, and the page links keep the
    dates asked for."""
    from rhc_app.web.links import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    kez = {"name": "Kezzy", "description": "", "concern": "@kezzy_99"}
    held(db, world.user("north", "worker"), [JAY, kez])
    held(db, world.user("north", "worker2"), [JAY_AGAIN, kez])
    auth.sign_in(world.user("north", "manager"))
    day = today_in_london()
    start = day - timedelta(days=30)
    period = (f"start={start.day}&start={start.month}&start={start.year}"
              f"&end={day.day}&end={day.month}&end={day.year}")
    first = client.get(f"/connections?{period}")
    text = first.get_data(as_text=True)
    assert first.status_code == 200 and "2 connections from" in text
    assert "Connection 1<" in text and "Connection 2<" not in text
    assert f"page=2&amp;start={start.day}&amp;start={start.month}" in text.split(
        "govuk-pagination__next")[1][:400]
    second = client.get(f"/connections?{period}&page=2")
    assert second.status_code == 200 and "Connection 2<" in second.get_data(as_text=True)
    past = client.get(f"/connections?{period}&page=3")
    assert past.status_code == 404 and "There is no page 3" in past.get_data(as_text=True)
    assert client.get(f"/connections?{period}&page=x").status_code == 404


def test_the_lists_links_are_the_addresses_url_for_builds(world, db, app, auth, client, linked):
    """The list builds each address once and puts each token or id in its place: the links
    are the ones url_for gives, quoted the same way, the dates kept."""
    from flask import url_for
    from markupsafe import escape

    from rhc_app.web.common import links_to

    convs, conn = linked
    auth.sign_in(world.user("north", "manager"))
    day = today_in_london()
    start = day - timedelta(days=30)
    dates = {"start": [start.day, start.month, start.year], "end": [day.day, day.month, day.year]}
    page = client.get("/connections", query_string=dates).get_data(as_text=True)
    with app.test_request_context():
        wanted = [url_for("links.connection", token=conn.token, **dates),
                  *(url_for("conversations.show", conversation_id=c.id) for c in convs)]
        for odd in ("a b", "x/y?z&w#v", "é€", "%41"):
            assert links_to("conversations.show", "conversation_id")(odd) == url_for(
                "conversations.show", conversation_id=odd)
            assert links_to("links.connection", "token", **dates)(odd) == url_for(
                "links.connection", token=odd, **dates)
    for href in wanted:
        assert f'href="{escape(href)}"' in page, href
