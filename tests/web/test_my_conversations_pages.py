""""My conversations" 50 a page with the GOV.UK pager (page number in the query string), a
clear page for a page that does not exist, and the window setting on the admin page."""

import re
from datetime import timedelta

import pyotp
from sqlalchemy import select

from rhc_app.store.models import Conversation, Organisation, User
from tests.conftest import make_case, now


def _cases(db, worker, n):
    for i in range(n):
        make_case(db, worker, name="Pat Pager", ref="CASE-PAGER", found_hours_ago=100 - i,
                  reported_hours_ago=110 - i)


def _cards(html):
    return html.count('class="govuk-summary-card"')


def test_fifty_one_conversations_make_two_pages_with_a_pager(world, auth, client, db):
    worker = world.user("north", "worker")
    _cases(db, worker, 51)
    auth.sign_in(worker)
    first = client.get("/")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and _cards(html) == 50
    assert 'class="govuk-pagination"' in html and 'href="/?page=2"' in html
    assert "Showing 1 to 50 of 51 conversations" in html
    assert "My conversations (page 1 of 2)" in html  # the page title
    second = client.get("/?page=2").get_data(as_text=True)
    assert _cards(second) == 1 and 'href="/?page=1"' in second
    assert re.search(r'govuk-pagination__item--current">\s*<a[^>]*aria-current="page"[^>]*>\s*2',
                     second)


def test_a_page_that_does_not_exist_is_a_clear_page(world, auth, client, db):
    worker = world.user("north", "worker")
    _cases(db, worker, 51)
    auth.sign_in(worker)
    for url, words in (("/?page=3", "There is no page 3"), ("/?page=0", "There is no page with"),
                       ("/?page=two", "There is no page with"),
                       ("/?page=99999999999999999999", "There is no page with")):
        r = client.get(url)
        html = r.get_data(as_text=True)
        assert r.status_code == 404, url
        assert words in html and "has 2 pages" in html and "Pat Pager" not in html


def test_one_page_has_no_pager(world, auth, client, db):
    worker = world.user("north", "worker")
    _cases(db, worker, 3)
    auth.sign_in(worker)
    html = client.get("/").get_data(as_text=True)
    assert _cards(html) == 3 and "govuk-pagination" not in html
    assert "stay here for 14 days" in html


def test_an_old_declined_conversation_is_on_the_childs_page_not_the_list(world, auth, client,
                                                                          db):
    worker = world.user("north", "worker")
    old = make_case(db, worker, name="Bea Fifteendays", found_hours_ago=400,
                    reported_hours_ago=410)
    conv = db.get(Conversation, old.conversation.id)
    conv.status = conv.outcome = "declined"
    conv.outcome_at = now() - timedelta(days=15)
    child_id = old.child_id
    db.commit()
    make_case(db, worker, name="Cal Openwork")
    auth.sign_in(worker)
    listed = client.get("/").get_data(as_text=True)
    assert "Cal Openwork" in listed and "Bea Fifteendays" not in listed
    page = client.get(f"/children/{child_id}").get_data(as_text=True)
    assert f"/conversations/{conv.id}" in page and "Declined" in page


def _admin(db, world):
    admin = db.get(User, world.user("north", "admin").id)
    admin.totp_secret = secret = pyotp.random_base32()
    db.commit()
    return admin, secret


def _window(db):
    db.rollback()
    db.expire_all()
    org = db.execute(select(Organisation).where(Organisation.slug == "north")).scalar_one()
    return org.setting("offer_again_days")


def test_the_window_setting_is_validated_and_saved(world, auth, client, db):
    admin, secret = _admin(db, world)
    auth.sign_in(admin, code=pyotp.TOTP(secret).now())
    base = {"repeat_threshold": "3", "repeat_window_days": "30"}
    for typed, message in (("0", "Enter a number of days from 1 to 90"),
                           ("91", "Enter a number of days from 1 to 90"),
                           ("a fortnight", "Not a valid integer value")):
        r = auth.post("/admin/settings", {**base, "offer_again_days": typed})
        html = r.get_data(as_text=True)
        assert r.status_code == 200 and "govuk-error-summary" in html and message in html
        assert f'value="{typed}"' in html  # what was typed is given back
        assert _window(db) == 14  # nothing saved
    assert auth.post("/admin/settings", {**base, "offer_again_days": "21"}).status_code == 302
    assert _window(db) == 21
    assert auth.post("/admin/settings", {**base, "offer_again_days": ""}).status_code == 302
    assert _window(db) == 14  # empty: the usual value


def test_the_team_page_offers_again_within_the_window_and_says_so(world, auth, client, db):
    worker = world.user("north", "worker")
    for name, days in (("Ada Thirteendays", 13), ("Bea Fifteendays", 15)):
        conv = db.get(Conversation, make_case(db, worker, name=name, found_hours_ago=400,
                                              reported_hours_ago=410).conversation.id)
        conv.status = conv.outcome = "declined"
        conv.outcome_at = now() - timedelta(days=days)
        db.commit()
    auth.sign_in(world.user("north", "manager"))
    again = client.get("/team").get_data(as_text=True).split('id="again"')[1].split(
        'id="signoff"')[0]
    assert "Ada Thirteendays" in again and "Bea Fifteendays" not in again
    assert "In the last 14 days" in again


def test_the_list_from_stencils_is_the_list_the_macros_give(world, auth, client, db, app,
                                                           monkeypatch):
    """Status and flag tags come from stencils (web/components.py); the page must be the one
    the GOV.UK macros give, and its links the ones url_for builds."""
    from flask import url_for

    from rhc_app.web.conversations import views

    at = now()  # the three pages at one time: a clock's time left must not tick between them
    monkeypatch.setattr(views, "utcnow", lambda: at)
    worker = world.user("north", "worker")
    _cases(db, worker, 4)  # the same child: repeat-missing flags, no found time and the rest
    auth.sign_in(worker)
    stencils = app.jinja_env.globals["govuk"]
    made, reused = client.get("/").get_data(as_text=True), client.get("/").get_data(as_text=True)
    app.jinja_env.globals["govuk"] = stencils.direct
    try:
        direct = client.get("/").get_data(as_text=True)
    finally:
        app.jinja_env.globals["govuk"] = stencils
    # The nonce is new on each page, and the sign-out form's CSRF token is signed with the
    # second it was made in, so three renders that straddle a second differ there and only there.
    same = [re.sub(r'nonce="[^"]+"|name="csrf_token" value="[^"]+"', "", h)
            for h in (made, reused, direct)]
    assert same[0] == same[1] == same[2] and "govuk-tag--" in made
    assert any("tag" in key for key in stencils.stencils)
    ids = db.execute(select(Conversation.id).where(Conversation.worker_id == worker.id)).scalars()
    with app.test_request_context():
        links = [url_for("conversations.show", conversation_id=i) for i in ids]
    assert links and all(f'href="{link}"' in made for link in links)
