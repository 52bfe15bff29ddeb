"""Closing a declined or not completed conversation with no further offer: the manager
confirms on a page, the POST closes it (audited), the reason is shown on the record, and the
team page's "offer again" list keeps only live work. Bad input changes nothing."""

from sqlalchemy import func, select

from rhc_app.store.models import AuditEvent, Conversation, OfferClosure
from tests.conftest import make_case


def _declined(db, worker, name, status="declined"):
    episode = make_case(db, worker, name=name)
    conv = db.get(Conversation, episode.conversation.id)
    conv.status = conv.outcome = status
    db.commit()
    return conv.id


def _offer_again(client) -> str:
    return client.get("/team").get_data(as_text=True).split('id="again"')[1].split('id="signoff"')[0]


def _closures(db) -> int:
    n = db.scalar(select(func.count()).select_from(OfferClosure))
    db.commit()
    return int(n)


def test_manager_closes_with_a_reason_and_it_leaves_offer_again(world, auth, client, db):
    worker = world.user("north", "worker")
    moved = _declined(db, worker, "Ivy Movedaway")
    _declined(db, worker, "Oak Stillhere", "not_completed")
    manager = world.user("north", "manager")
    auth.sign_in(manager)
    again = _offer_again(client)
    assert "Ivy Movedaway" in again and "Oak Stillhere" in again
    show = client.get(f"/conversations/{moved}").get_data(as_text=True)
    assert f"/team/conversations/{moved}/close" in show
    url = f"/team/conversations/{moved}/close"
    r = auth.post(url, {"reason": "moved_out_of_area", "confirm": "y"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/conversations/{moved}")
    again = _offer_again(client)
    assert "Ivy Movedaway" not in again and "Oak Stillhere" in again
    show = client.get(f"/conversations/{moved}").get_data(as_text=True)
    assert "Closed: no further offer" in show and "No further offer: child moved out of area" in show
    event = db.execute(select(AuditEvent).where(AuditEvent.action == "offer_closed")).scalar_one()
    assert (event.user_id, event.record_id, event.detail) == (manager.id, moved, "moved_out_of_area")
    # closing twice is refused, nothing added
    r = auth.post(url, {"reason": "offered_three_times", "confirm": "y"})
    assert r.status_code == 400 and "already closed" in r.get_data(as_text=True)
    assert _closures(db) == 1
    assert "offered again since" not in show
    conv = db.get(Conversation, moved)
    conv.status = "offered"  # offered again after all: the closure stays, said to be past
    db.commit()
    assert "It has been offered again since" in client.get(f"/conversations/{moved}").get_data(as_text=True)


def test_bad_input_shows_errors_and_changes_nothing(world, auth, client, db):
    conv_id = _declined(db, world.user("north", "worker"), "Elm Undecided")
    auth.sign_in(world.user("north", "manager"))
    url = f"/team/conversations/{conv_id}/close"
    r = auth.post(url, {"reason": "other", "note": "  "})  # no note, not confirmed
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "govuk-error-summary" in html
    assert "Confirm the conversation will not be offered again" in html
    r = auth.post(url, {"reason": "other", "note": " ", "confirm": "y"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Enter why no further offer will be made" in html
    assert 'checked' in html.split('value="other"')[1][:80]  # what was chosen is given back
    r = auth.post(url, {"reason": "made_up", "confirm": "y"})
    assert r.status_code == 400
    assert _closures(db) == 0
    r = auth.post(url, {"reason": "other", "note": "Family asked us to stop; police agree", "confirm": "y"})
    assert r.status_code == 302
    closure = db.execute(select(OfferClosure)).scalar_one()
    assert closure.note == "Family asked us to stop; police agree" and closure.closed_from == "declined"
    raw = db.execute(select(OfferClosure.note_enc)).scalar_one()
    assert b"Family asked" not in raw  # the note is sealed


def test_only_declined_or_not_completed_can_be_closed_and_workers_cannot(world, auth, client, db):
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name="Ash Tooearly")  # still to offer
    declined = _declined(db, worker, "Bay Declined")
    auth.sign_in(world.user("north", "manager"))
    r = auth.post(f"/team/conversations/{episode.conversation.id}/close",
                  {"reason": "offered_three_times", "confirm": "y"})
    assert r.status_code == 400 and "Only a declined or not completed" in r.get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(worker)
    show = client.get(f"/conversations/{declined}").get_data(as_text=True)
    assert "/close" not in show
    assert client.get(f"/team/conversations/{declined}/close").status_code == 404
    auth.sign_out()
    auth.sign_in(world.user("south", "manager"))
    assert client.get(f"/team/conversations/{declined}/close").status_code == 404
    assert _closures(db) == 0
