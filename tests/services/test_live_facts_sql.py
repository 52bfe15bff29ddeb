"""The team page's clock worked out in SQL (live_facts.clock_state) holds to the domain's
72-hour rule (uk_time.clock through listing.clock_of) at its edges: found exactly 72 or 48
hours before now, a microsecond either side, no found time, held, declined, covering a later
episode; with `now` on the nights the clocks go back and forward. On both engines."""

from datetime import UTC, datetime, timedelta

import pytest

from rhc_app.domain import uk_time
from rhc_app.services import covering, listing, live_facts
from rhc_app.store.models import Conversation, Episode, Organisation
from tests.conftest import make_case

US = timedelta(microseconds=1)
H = timedelta(hours=1)
EDGES = [72 * H, 72 * H + US, 72 * H - US, 48 * H, 48 * H + US, 48 * H - US, H, -H]


def _case(db, worker, now, found_before, ref=None, reported_days=5, **conv):
    ep = db.get(Episode, make_case(db, worker, ref=ref).id)
    ep.reported_missing_at = now - timedelta(days=reported_days)
    ep.found_at = None if found_before is None else now - found_before
    c = db.get(Conversation, ep.conversation.id)
    for key, value in conv.items():
        setattr(c, key, value)
    return c


@pytest.mark.parametrize("now", [
    datetime(2026, 10, 25, 1, 30, 0, 500_000, tzinfo=UTC),  # the hour the clocks go back
    datetime(2027, 3, 28, 0, 59, 59, 999_999, tzinfo=UTC),  # just before they go forward
])
def test_the_sql_clock_is_the_domain_s_at_every_edge(world, db, now):
    worker = world.user("north", "worker")
    org = db.get(Organisation, worker.organisation_id)
    plain = {_case(db, worker, now, edge).id: edge for edge in [*EDGES, None]}
    held = _case(db, worker, now, 80 * H, status="in_progress", held_at=now - 10 * H)
    declined = _case(db, worker, now, 80 * H, status="declined", outcome="declined",
                     outcome_at=now - H)
    # Overdue alone, but covering an episode found 48 hours ago: due soon, from that one.
    first = _case(db, worker, now, 100 * H, ref="CASE-COVER")
    later = _case(db, worker, now, 48 * H, ref="CASE-COVER", reported_days=3)
    db.flush()
    covering.attach(db, worker, first, later)
    db.commit()
    facts = {f.conversation_id: f.clock for f in live_facts.live_facts(db, org, now)}
    for conv_id, edge in plain.items():
        found = None if edge is None else now - edge
        assert facts[conv_id] == uk_time.clock(found, now).state, edge
    assert [facts[c.id] for c in (held, declined, first)] == ["stopped", "stopped", "due_soon"]
    rows = listing.rows(db, org, Conversation.organisation_id == org.id, now, limit=100,
                        live=listing.live_work(org, now))
    assert facts == {r.conversation.id: r.clock.state for r in rows}
    assert {facts[c] for c in plain} == {"overdue", "due_soon", "on_track", "no_found_time"}


def test_the_kept_window_counts_follow_every_write(world, db):
    """The repeat window's counts are kept between requests under the figures version: a new
    episode, a changed window and an episode moved in time are each seen at the next request."""
    from datetime import UTC as utc

    from rhc_app.services import dashboard

    worker = world.user("north", "worker")
    org = db.get(Organisation, worker.organisation_id)
    now = datetime.now(utc)
    first = make_case(db, worker, ref="CASE-KEPT", reported_hours_ago=100)
    make_case(db, worker, ref="CASE-KEPT", reported_hours_ago=80)

    def repeat():
        return [f.child_id for f in dashboard.sections(db, org, now)["repeat"]]

    assert repeat() == [] and repeat() == []  # counted, then kept
    third = make_case(db, worker, ref="CASE-KEPT", reported_hours_ago=60)
    assert repeat() == [first.child_id]  # the new episode: three in the window
    org.settings = {**(org.settings or {}), "repeat_window_days": 1}
    db.commit()
    assert repeat() == []  # no day holds three
    org.settings = {**(org.settings or {}), "repeat_window_days": 30}
    db.get(Episode, third.id).reported_missing_at = now - timedelta(days=60)
    db.commit()
    assert repeat() == []  # moved out of the window


def test_the_kept_facts_follow_consent_closures_and_the_time(world, db):
    """What the team page keeps between requests (live_facts._kept) is replaced by a consent
    saved from the canvas (a Core update) and by an offer closed; the clocks and the offer
    again window move with `now` alone; an earlier `now` than the one counted is counted
    afresh, never answered from what a later one left out."""
    from rhc_app.services.closing import close_offer
    from rhc_app.services.conversations import record_outcome, save_canvas

    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    org = db.get(Organisation, worker.organisation_id)
    t = datetime.now(UTC)
    ticking = _case(db, worker, t, 47 * H)  # 25 hours left: on track
    declined = _case(db, worker, t, 80 * H, status="declined", outcome="declined",
                     outcome_at=t - timedelta(days=13))
    lapsed = _case(db, worker, t, 80 * H, status="declined", outcome="declined",
                   outcome_at=t - timedelta(days=15))  # the 14 days passed yesterday
    consent = _case(db, worker, t, 5 * H)
    db.commit()
    record_outcome(db, worker, consent, "accepted", t - H, now=t)
    assert save_canvas(db, worker, consent, {"details": {}}, consent.version).applied
    db.commit()  # in progress: a consent saved next changes nothing else

    def facts(at):
        return {f.conversation_id: f for f in live_facts.live_facts(db, org, at)}

    first = facts(t)
    assert first[ticking.id].clock == "on_track" and first[consent.id].no_consent
    assert declined.id in first and lapsed.id not in first
    assert facts(t + 2 * H)[ticking.id].clock == "due_soon"  # kept: the clock moves
    assert facts(t + 26 * H)[ticking.id].clock == "overdue"
    assert declined.id not in facts(t + timedelta(days=2))  # kept: the window closes
    assert lapsed.id in facts(t - timedelta(days=2))  # earlier than counted: afresh
    assert lapsed.id not in facts(t)

    canvas = {"details": {"consent_to_share": "yes"}}
    assert save_canvas(db, worker, consent, canvas, consent.version).applied
    db.commit()
    assert not facts(t)[consent.id].no_consent
    close_offer(db, manager, declined, "offered_three_times", "", t)
    db.commit()
    assert facts(t)[declined.id].closed
