"""The team page's sections, counted from plain columns, hold exactly what the full rows
(names, flags, clocks: listing.rows over all live work) put in them, in the same order; the
page shows the first SHOWN of each and counts them all."""

from datetime import timedelta

from sqlalchemy import select

from rhc_app.services import covering, dashboard, listing, strategy
from rhc_app.services.closing import close_offer
from rhc_app.services.strategy import DecisionDetails, record_decision
from rhc_app.store.models import Conversation, CoveredEpisode, OfferClosure, Organisation
from tests.conftest import make_case, now


def _closed_ids(db, org):
    return set(db.execute(select(OfferClosure.conversation_id)
                          .where(OfferClosure.organisation_id == org.id)).scalars())


def _full_sections(db, org):
    """What the team page listed before it summarised: every live row built in full, then
    sorted into sections by its clock and flags (the old overview's rules)."""
    t = now()
    closed = _closed_ids(db, org)
    out = {key: [] for key in dashboard.SECTIONS}
    seen = set()
    for r in listing.rows(db, org, Conversation.organisation_id == org.id, t, limit=10_000,
                          live=listing.live_work(org, t)):
        status, codes = r.conversation.status, {f.code for f in r.flags}
        if status in ("to_offer", "offered", "accepted") and r.clock.state != "no_found_time":
            out["due"].append(r)
            if r.clock.state in ("overdue", "due_soon"):
                out[r.clock.state].append(r)
        if r.clock.state == "no_found_time":
            out["no_found_time"].append(r)
        if "consent" in codes:
            out["no_consent"].append(r)
        if "repeat" in codes and r.child.id not in seen:
            seen.add(r.child.id)
            out["repeat"].append(r)
        if status in ("declined", "not_completed") and r.conversation.id not in closed:
            out["offer_again"].append(r)
        if r.conversation.worker_id is None:
            out["unallocated"].append(r)
        if status == "awaiting_signoff":
            out["awaiting_signoff"].append(r)
    return {key: [r.conversation.id for r in rows] for key, rows in out.items()}


def _set(db, episode, status, outcome_days_ago=None, consent=None):
    conv = db.get(Conversation, episode.conversation.id)
    conv.status = status
    conv.consent_to_share = consent
    if outcome_days_ago is not None:
        conv.outcome, conv.outcome_at = status, now() - timedelta(days=outcome_days_ago)
    db.commit()
    return conv


def _varied(world, db):
    """Every section, some with more than SHOWN rows, and rows in several sections. Gives a
    repeat-missing child's latest episode."""
    last = None
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    for i in range(12):  # overdue, half allocated
        make_case(db, worker if i % 2 else manager, name=f"Ovi Late{i}",
                  found_hours_ago=73 + i * 7, reported_hours_ago=80 + i * 7)
    for i in range(3):  # due in the next 24 hours
        make_case(db, worker, name=f"Sid Soon{i}", found_hours_ago=55 + i,
                  reported_hours_ago=60 + i)
    for i in range(11):  # no found time, some in care (a strategy decision due)
        make_case(db, worker, name=f"Nia Missing{i}", found_hours_ago=None,
                  reported_hours_ago=20 + i * 30, in_care=i % 3 == 0)
    for i, status in enumerate(("accepted", "in_progress", "awaiting_signoff",
                                "awaiting_signoff", "accepted")):
        _set(db, make_case(db, worker, name=f"Con Sent{i}", found_hours_ago=5 + i),
             status, consent="yes" if i == 4 else None)
    for days in (2, 9, 13, 15, 40):  # offer again only within 14 days
        _set(db, make_case(db, worker, name=f"Dec Lined{days}", found_hours_ago=days * 24 + 30,
                           reported_hours_ago=days * 24 + 40), "declined", days)
    closed = _set(db, make_case(db, worker, name="Clo Sed", found_hours_ago=100,
                               reported_hours_ago=110), "declined", 3)
    close_offer(db, manager, closed, "offered_three_times", "", now())
    db.commit()
    for ref, hours in (("REP-A", (500, 400, 300, 30)), ("REP-B", (600, 500, 450)),
                       ("REP-C", (2000, 1200, 400))):  # A and B repeat; C never 3 in 30 days
        for h in hours:
            latest = make_case(db, worker, name=f"Rep {ref}", ref=ref, found_hours_ago=h - 5,
                             reported_hours_ago=h)
        last = latest if ref == "REP-A" else last
    for h in (300, 200):  # REP-D's earlier episodes are done: only its history counts them
        _set(db, make_case(db, worker, name="Rep Done", ref="REP-D", found_hours_ago=h - 5,
                           reported_hours_ago=h), "completed")
    make_case(db, worker, ref="REP-D", found_hours_ago=10, reported_hours_ago=20)
    _set(db, make_case(db, worker, name="Com Pleted"), "completed")
    # Overdue alone, but covering a later episode: its clock runs from that one's found time.
    first = make_case(db, worker, name="Cov Ering", ref="COV-1", reported_hours_ago=120,
                      found_hours_ago=110)
    second = make_case(db, worker, ref="COV-1", reported_hours_ago=40, found_hours_ago=30)
    covering.attach(db, worker, db.get(Conversation, first.conversation.id),
                    db.get(Conversation, second.conversation.id))
    db.commit()
    return last


def test_sections_hold_what_the_full_rows_put_in_them(world, db):
    _varied(world, db)
    org = db.get(Organisation, world.orgs["north"].org.id)
    full = _full_sections(db, org)
    found = dashboard.sections(db, org, now())
    assert {k: [f.conversation_id for f in v] for k, v in found.items()} == full
    assert len(full["overdue"]) > dashboard.SHOWN and len(full["no_found_time"]) == 11
    assert full["repeat"] and full["offer_again"] and full["no_consent"]
    shown = dashboard.overview(db, org, now())
    assert "Rep Done" in {r.child.name for r in shown.repeat}  # counted from done episodes
    covering_id = db.execute(select(CoveredEpisode.covering_conversation_id)).scalar_one()
    assert covering_id in full["due"] and covering_id not in full["overdue"]  # the later found time
    o = dashboard.overview(db, org, now())
    for key, ids in full.items():
        assert o.totals[key] == len(ids), key
        assert [r.conversation.id for r in getattr(o, key)] == ids[:dashboard.SHOWN], key
    assert all(r.child.name for r in o.overdue)  # built in full: names, who holds them


def test_a_decision_since_clears_the_repeat_section(world, db):
    last = _varied(world, db)
    org = db.get(Organisation, world.orgs["north"].org.id)
    before = dashboard.sections(db, org, now())["repeat"]
    record_decision(db, world.user("north", "manager"), last.child,
                    DecisionDetails("not_needed", reason="Safety plan in place"))
    db.commit()
    after = dashboard.sections(db, org, now())["repeat"]
    assert len(after) == len(before) - 1
    assert after == [f for f in before if f.child_id != last.child_id]
    assert [f.conversation_id for f in after] == _full_sections(db, org)["repeat"]


def test_section_pages_hold_exactly_the_section_in_order(world, db):
    _varied(world, db)
    org = db.get(Organisation, world.orgs["north"].org.id)
    full = _full_sections(db, org)["overdue"]
    last = -(-len(full) // 5)
    pages = [dashboard.section_page(db, org, "overdue", now(), n, size=5)
             for n in range(1, last + 1)]
    assert {(p.total, p.pages) for p in pages} == {(len(full), last)} and last > 2
    assert [r.conversation.id for p in pages for r in p.rows] == full
    past = dashboard.section_page(db, org, "overdue", now(), last + 1, size=5)
    assert past.out_of_range and past.rows == []


def test_due_decisions_counted_then_only_those_shown_read(world, db):
    _varied(world, db)
    org = db.get(Organisation, world.orgs["north"].org.id)
    states = strategy.due_decision_states(db, org, now())
    every = strategy.due_decisions(db, org, now())
    assert len(states) == len(every) >= 4
    assert [d.child.id for d in every] == [cid for cid, _ in states]
    first = strategy.due_decisions(db, org, now(), limit=3)
    rest = strategy.due_decisions(db, org, now(), limit=3, offset=3, states=states)
    assert [d.child.id for d in first + rest] == [cid for cid, _ in states[:6]]
    overdue = [d.state.state == "overdue" for d in every]
    assert overdue == sorted(overdue, reverse=True)  # most overdue first


def test_kept_decisions_due_follow_every_change(world, db):
    worker, manager = world.user("north", "worker"), world.user("north", "manager")
    org = db.get(Organisation, world.orgs["north"].org.id)
    first = make_case(db, worker, name="Cia Incare", found_hours_ago=None,
                      reported_hours_ago=100, in_care=True)
    assert dashboard.decision_states(db, org, now()) == strategy.due_decision_states(
        db, org, now()) and len(strategy.due_decision_states(db, org, now())) == 1
    make_case(db, worker, name="Cal Incare", found_hours_ago=None, reported_hours_ago=120,
              in_care=True)  # a new episode: the figures version changes
    assert len(dashboard.decision_states(db, org, now())) == 2
    record_decision(db, manager, first.child, DecisionDetails("not_needed", reason="Home now"),
                    now())
    db.commit()  # a decision: the organisation's decisions change
    kept = dashboard.decision_states(db, org, now())
    assert kept == strategy.due_decision_states(db, org, now()) and len(kept) == 1
