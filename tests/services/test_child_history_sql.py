"""The repeat window and continuity worked out in SQL (services/child_history.py) hold to the
domain's rules (flags.episodes_in_window, flags.continuity_worker) at the edges: exactly the
window's length before an episode, a microsecond either side, a window across the clocks
going back or forward (real hours, whatever the database session's time zone), and two
episodes at the same instant. On both engines (RHC_TEST_DATABASE_URL for PostgreSQL)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from rhc_app.domain import flags
from rhc_app.services import child_history
from rhc_app.store.models import Conversation, Episode, Organisation
from tests.conftest import make_case

US = timedelta(microseconds=1)
# After the clocks went back (25 Oct 2026) and after they went forward (28 Mar 2027).
AFTER_BACK = datetime(2026, 11, 10, 12, 0, 0, 250_000, tzinfo=UTC)
AFTER_FORWARD = datetime(2027, 4, 10, 9, 30, 0, 999_999, tzinfo=UTC)


def _london_session(db):
    """A day in PostgreSQL's interval arithmetic follows the session's zone: make it London."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET TIME ZONE 'Europe/London'"))


def _episodes(db, worker, times):
    out = []
    for at in times:
        ep = make_case(db, worker, ref="CASE-WINDOW")
        ep = db.get(Episode, ep.id)
        ep.reported_missing_at = at
        out.append(ep)
    db.commit()
    return out


@pytest.mark.parametrize("last", [AFTER_BACK, AFTER_FORWARD])
@pytest.mark.parametrize("days", [30, 7, 16])
def test_the_window_count_is_the_domain_s_at_every_edge(world, db, last, days):
    _london_session(db)
    worker = world.user("north", "worker")
    org = db.get(Organisation, worker.organisation_id)
    org.settings = {**(org.settings or {}), "repeat_window_days": days}
    edge = last - timedelta(days=days)
    times = [last, last, edge, edge - US, edge + US, edge - timedelta(hours=1),
             edge + timedelta(hours=1), edge - timedelta(days=days), last - timedelta(days=1),
             last + US]
    episodes = _episodes(db, worker, times)
    counts = child_history.window_counts(db, org, [e.id for e in episodes])
    reported = sorted(times)
    expected = {e.id: flags.episodes_in_window(reported, at, days)
                for e, at in zip(episodes, times, strict=True)}
    assert counts == expected
    assert counts[episodes[0].id] == 6  # itself, its twin, the edge, edge + 1 us, + 1 h, a day


def test_the_latest_held_name_whom_the_child_last_spoke_to(world, db):
    worker, other = world.user("north", "worker"), world.user("north", "manager")
    episodes = _episodes(db, worker, [AFTER_BACK - timedelta(days=d) for d in range(5)])
    convs = [db.get(Conversation, e.conversation.id) for e in episodes]
    held = [AFTER_BACK - timedelta(days=d, hours=-2) for d in (4, 1, 3, 0)]
    for conv, at, who in zip(convs, held, (worker, other, worker, other), strict=False):
        conv.held_at, conv.worker_id = at, who.id
    db.commit()
    latest = child_history.latest_held(db, [episodes[0].child_id])[episodes[0].child_id]
    assert [h.held_at for h in latest] == sorted(held, reverse=True)[:2]
    for conv in convs:  # the rule over the whole history, each conversation in turn
        everyone = [flags.PastConversation(c.worker_id, c.held_at) for c in convs if c is not conv]
        shown = [flags.PastConversation(h.worker_id, h.held_at) for h in latest
                 if h.conversation_id != conv.id]
        assert flags.continuity_worker(shown) == flags.continuity_worker(everyone)
