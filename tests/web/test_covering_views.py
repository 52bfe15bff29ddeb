"""Covering another missing episode from the conversation page: the question page, the POST
(redirect), errors next to the field with nothing changed, detaching with a reason on a
confirmation page, and a 404 for what the user may not open."""

from sqlalchemy import func, select

from rhc_app.store.models import Conversation, CoveredEpisode
from tests.conftest import make_case


def _twice(db, worker):
    first = make_case(db, worker, name="Wren Twicegone", ref="TWICE-1",
                      reported_hours_ago=120, found_hours_ago=110)
    second = make_case(db, worker, ref="TWICE-1", reported_hours_ago=40, found_hours_ago=30)
    return first.conversation.id, second.id, second.conversation.id


def _links(db) -> int:
    n = db.scalar(select(func.count()).select_from(CoveredEpisode))
    db.commit()
    return int(n)


def test_attach_then_detach_from_the_conversation_page(world, auth, client, db):
    worker = world.user("north", "worker")
    conv_id, episode_id, own_id = _twice(db, worker)
    auth.sign_in(worker)
    show = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    assert f"/conversations/{conv_id}/cover" in show
    url = f"/conversations/{conv_id}/cover"
    page = client.get(url).get_data(as_text=True)
    assert f'value="{episode_id}"' in page
    # nothing chosen: the error is next to the field, nothing changes
    r = auth.post(url, {})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "govuk-error-summary" in html
    assert "Select the missing episode this conversation covers too" in html
    assert _links(db) == 0
    r = auth.post(url, {"episode_id": episode_id})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/conversations/{conv_id}#covers")
    assert db.get(Conversation, own_id).status == "covered"
    show = client.get(f"/conversations/{conv_id}").get_data(as_text=True)
    assert "Other missing episodes this conversation covers" in show
    own_page = client.get(f"/conversations/{own_id}").get_data(as_text=True)
    assert "covered by another conversation" in own_page
    assert f'href="/conversations/{conv_id}"' in own_page
    link = db.execute(select(CoveredEpisode)).scalar_one()
    db.commit()
    detach = f"/conversations/{conv_id}/cover/{link.id}/detach"
    assert detach in show
    r = auth.post(detach, {"reason": ""})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Enter why this missing episode is no longer covered" in html
    assert db.get(Conversation, own_id).status == "covered"
    db.commit()
    r = auth.post(detach, {"reason": "Attached by mistake"})
    assert r.status_code == 302
    assert db.get(Conversation, own_id).status == "to_offer"
    db.commit()
    # the link is gone from the page, so its detach page is not found
    assert client.get(detach).status_code == 404


def test_what_the_user_may_not_open_is_not_found_and_changes_nothing(world, auth, client, db):
    worker = world.user("north", "worker")
    conv_id, episode_id, _ = _twice(db, worker)
    elsewhere = make_case(db, world.user("south", "worker"), name="Ash Elsewhere",
                          reported_hours_ago=20, found_hours_ago=10)
    auth.sign_in(worker)
    url = f"/conversations/{conv_id}/cover"
    r = auth.post(url, {"episode_id": elsewhere.id})
    assert r.status_code == 404
    assert _links(db) == 0
    auth.sign_out()
    auth.sign_in(world.user("north", "worker2"))  # holds neither conversation
    assert client.get(url).status_code == 404
    assert _links(db) == 0
