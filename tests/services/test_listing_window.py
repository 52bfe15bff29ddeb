"""The worker's day and the team page list live work only: open conversations, and declined
or not completed ones while an offer again is still useful (offer_again_days, default 14);
most urgent first; 50 a page, counted in the database."""

from datetime import timedelta

from rhc_app.security.access import conversation_filter
from rhc_app.services import dashboard, listing
from rhc_app.store.models import Conversation, Organisation
from tests.conftest import make_case, now


def _case(db, worker, name, found=10.0, **kw):
    return make_case(db, worker, name=name, found_hours_ago=found,
                     reported_hours_ago=(found or 20) + 10, **kw)


def _conv(db, episode, status, outcome_days_ago=None):
    conv = db.get(Conversation, episode.conversation.id)
    conv.status = status
    if outcome_days_ago is not None:
        conv.outcome = status
        conv.outcome_at = now() - timedelta(days=outcome_days_ago)
    db.commit()
    return conv.id


def _listed(db, user, number=1):
    org = db.get(Organisation, user.organisation_id)
    page = listing.worker_day(db, org, conversation_filter(user), now(), number)
    db.commit()
    return page


def _names(page):
    return [r.child.name for r in page.rows]


def test_declined_is_listed_for_fourteen_days_then_left_to_the_childs_page(world, db):
    worker = world.user("north", "worker")
    _conv(db, _case(db, worker, "Ada Thirteendays", 400), "declined", 13)
    _conv(db, _case(db, worker, "Bea Fifteendays", 400), "declined", 15)
    _conv(db, _case(db, worker, "Cal Oldnotdone", 900),
          "not_completed", 30)
    _conv(db, _case(db, worker, "Dot Recentnotdone", 200),
          "not_completed", 2)
    _conv(db, _case(db, worker, "Eve Done"), "completed")
    assert set(_names(_listed(db, worker))) == {"Ada Thirteendays", "Dot Recentnotdone"}


def test_the_setting_changes_the_window(world, db):
    worker = world.user("north", "worker")
    _conv(db, _case(db, worker, "Ada Thirteendays", 400), "declined", 13)
    _conv(db, _case(db, worker, "Bea Fifteendays", 400), "declined", 15)
    org = db.get(Organisation, worker.organisation_id)
    org.settings = {**(org.settings or {}), "offer_again_days": 20}
    db.commit()
    assert set(_names(_listed(db, worker))) == {"Ada Thirteendays", "Bea Fifteendays"}
    org.settings = {**org.settings, "offer_again_days": 10}
    db.commit()
    assert _names(_listed(db, worker)) == []


def test_an_outcome_with_no_time_of_its_own_goes_by_the_episode(world, db):
    """An imported declined conversation has no outcome time: the episode's stands for it."""
    worker = world.user("north", "worker")
    _conv(db, make_case(db, worker, name="Fay Importedold", found_hours_ago=24 * 40,
                        reported_hours_ago=24 * 41), "declined")
    _conv(db, make_case(db, worker, name="Gus Importednew", found_hours_ago=24 * 3,
                        reported_hours_ago=24 * 4), "declined")
    assert _names(_listed(db, worker)) == ["Gus Importednew"]


def test_most_urgent_first(world, db):
    worker = world.user("north", "worker")
    _case(db, worker, "On Track", 5)
    _case(db, worker, "No Foundtime", None)
    _conv(db, _case(db, worker, "Declined Recently", 120), "declined", 1)
    _case(db, worker, "Most Overdue", 150)
    _case(db, worker, "Due Soon", 65)
    _case(db, worker, "Just Overdue", 80)
    assert _names(_listed(db, worker)) == ["Most Overdue", "Just Overdue", "Due Soon",
                                           "On Track", "No Foundtime", "Declined Recently"]


def test_fifty_one_rows_make_two_pages_and_page_three_is_out_of_range(world, db):
    worker = world.user("north", "worker")
    # One child, 51 episodes, each found an hour after the last: the last found is least urgent.
    episodes = [_case(db, worker, "Pat Pager", 100 - i, ref="CASE-PAGER").id for i in range(51)]
    first, second, third = (_listed(db, worker, n) for n in (1, 2, 3))
    assert (first.total, first.pages, len(first.rows)) == (51, 2, 50)
    assert [r.episode.id for r in first.rows + second.rows] == episodes
    assert not first.out_of_range and not second.out_of_range
    assert third.out_of_range and third.rows == [] and third.pages == 2
    assert _listed(db, worker, 0).out_of_range


def test_the_team_page_offers_again_only_within_the_window(world, db):
    worker = world.user("north", "worker")
    recent = _conv(db, _case(db, worker, "Ada Thirteendays", 400),
                   "declined", 13)
    _conv(db, _case(db, worker, "Bea Fifteendays", 400), "declined", 15)
    _conv(db, _case(db, worker, "Cal Oldnotdone", 900),
          "not_completed", 30)
    org = db.get(Organisation, worker.organisation_id)
    o = dashboard.overview(db, org, now())
    assert [r.conversation.id for r in o.offer_again] == [recent]
    assert all(r.child.name != "Bea Fifteendays" for r in o.no_consent + o.unallocated)
