"""Attaching a missing episode to a conversation that covers it, detaching it again, and how
the figures count a covering conversation (by the one definition, figure_lists.conditions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from rhc_app.services import covering, datasets, figure_lists
from rhc_app.services.conversation_fields import OfferFields
from rhc_app.services.conversations import record_outcome as _record_outcome
from rhc_app.services.conversations import save_canvas
from rhc_app.services.errors import CaseworkError
from rhc_app.services.listing import rows
from rhc_app.store.models import AuditEvent, Conversation, CoveredEpisode
from tests.conftest import make_case, now


def record_outcome(*args, **kwargs):  # type: ignore[no-untyped-def]
    """These examples offer late on purpose: say why, as the outcome form asks."""
    kwargs.setdefault("fields", OfferFields(late_reason="child_missing_again"))
    return _record_outcome(*args, **kwargs)


@pytest.fixture
def twice(world, db):
    """Child missing twice: found 110 hours ago, then again 30 hours ago; one worker holds
    both conversations. Returns (worker, first conversation, second conversation)."""
    worker = world.user("north", "worker")
    first = make_case(db, worker, name="Wren Twicegone", ref="TWICE-1",
                      reported_hours_ago=120, found_hours_ago=110)
    second = make_case(db, worker, ref="TWICE-1", reported_hours_ago=40, found_hours_ago=30)
    return (worker, db.get(Conversation, first.conversation.id),
            db.get(Conversation, second.conversation.id))


def _hold(db, worker, conv, hours_ago):
    t = now()
    record_outcome(db, worker, conv, "accepted", t - timedelta(hours=20), now=t)
    canvas = {"details": {"held_at": (t - timedelta(hours=hours_ago)).isoformat()}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()


def _year(db, org):
    today = now().date()
    year = today.year if today.month >= 4 else today.year - 1
    return datasets.quarterly_counts(db, org, year)["all"][4]


def test_attaching_takes_the_episode_off_the_list_to_offer_and_audits_both(twice, db):
    worker, first, second = twice
    org = worker.organisation
    listed = {r.conversation.id for r in rows(db, org, Conversation.worker_id == worker.id,
                                              now())}
    assert listed == {first.id, second.id}
    assert [e.id for e in covering.candidates(db, worker, first)] == [second.episode_id]
    link = covering.attach(db, worker, first, second)
    db.commit()
    assert second.status == "covered"
    assert link.status_before == "to_offer"
    listed = [r for r in rows(db, org, Conversation.worker_id == worker.id, now())]
    assert [r.conversation.id for r in listed] == [first.id]
    # the clock runs from the latest found time (30 hours ago): about 42 hours left
    left = listed[0].clock.remaining
    assert timedelta(hours=41) < left < timedelta(hours=42, minutes=1)
    assert listed[0].clock.due_at - timedelta(hours=72) == covering.clock_found_at(db, first)
    events = db.execute(select(AuditEvent.record_id).where(
        AuditEvent.action == "episode_attached")).scalars().all()
    assert sorted(events) == sorted([first.id, second.id])
    with pytest.raises(CaseworkError, match="already covered"):
        covering.attach(db, worker, first, second)


def test_a_covering_conversation_counts_for_each_episode_against_its_own_found_time(twice, db):
    worker, first, second = twice
    org = worker.organisation
    before = _year(db, org)
    assert (before["episodes"], before["offered"], before["accepted"]) == (2, 0, 0)
    covering.attach(db, worker, first, second)
    _hold(db, worker, first, hours_ago=1)
    assert (second.outcome, second.held_at) == ("accepted", first.held_at)
    counts = _year(db, org)
    # held 1 hour ago: 109 hours after the first was found (late), 29 after the second.
    # offered (accepted) 20 hours ago: 90 hours after the first, 10 after the second.
    assert {k: counts[k] for k in ("children", "episodes", "offered", "accepted", "declined",
                                   "within", "offered_within")} == {
        "children": 1, "episodes": 2, "offered": 2, "accepted": 2, "declined": 0,
        "within": 1, "offered_within": 1}
    today = now().date()
    scope = figure_lists.Scope(today - timedelta(days=30), today)
    within = figure_lists.listed(db, org, "within", scope)
    assert [r.episode_id for r in within] == [second.episode_id]
    # the risk factors count one conversation held, not two
    held = datasets.held_facts(db, org, today - timedelta(days=30), today)
    assert len(held) == 1


def test_detaching_needs_a_reason_and_puts_the_episode_back(twice, db):
    worker, first, second = twice
    t = now()
    record_outcome(db, worker, second, "offer", t - timedelta(hours=25), now=t)
    offered_at = second.offered_at
    link = covering.attach(db, worker, first, second)
    record_outcome(db, worker, first, "accepted", t - timedelta(hours=2), now=t)
    db.commit()
    assert second.outcome == "accepted"
    with pytest.raises(CaseworkError, match="Enter why"):
        covering.detach(db, worker, first, link.id, "  ")
    covering.detach(db, worker, first, link.id, "Attached to the wrong conversation")
    db.commit()
    assert (second.status, second.offered_at, second.outcome, second.held_at) == (
        "offered", offered_at, None, None)
    stored = db.get(CoveredEpisode, link.id)
    assert stored.detach_reason == "Attached to the wrong conversation"
    assert b"wrong conversation" not in (stored.detach_reason_enc or b"")
    assert covering.covered_by(db, first) == []
    # and the first conversation's time held no longer reaches it
    canvas = {"details": {"held_at": (t - timedelta(hours=1)).isoformat()}}
    assert save_canvas(db, worker, first, canvas, first.version).applied
    assert first.held_at is not None and second.held_at is None


def test_attaching_needs_both_conversations_to_be_the_users(twice, world, db):
    worker, first, second = twice
    other = world.user("north", "worker2")
    assert covering.own_conversation(db, other, second.episode_id) is None
    assert covering.candidates(db, other, first) == []
    assert covering.own_conversation(db, world.user("south", "manager"),
                                     second.episode_id) is None
    assert covering.own_conversation(db, worker, second.episode_id).id == second.id


def test_a_finished_or_covered_conversation_cannot_cover(twice, db):
    worker, first, second = twice
    covering.attach(db, worker, first, second)
    with pytest.raises(CaseworkError, match="itself covered"):
        covering.attach(db, worker, second, first)
    third = make_case(db, worker, ref="TWICE-1", reported_hours_ago=10, found_hours_ago=5)
    third_conv = db.get(Conversation, third.conversation.id)
    first.status = "completed"
    with pytest.raises(CaseworkError, match="finished"):
        covering.attach(db, worker, first, third_conv)


def test_the_police_pdf_lists_every_episode_covered(twice, db):
    import io

    from pypdf import PdfReader

    from rhc_app.documents.police_pdf import build_police_pdf
    from rhc_app.services.records import conversation_record

    worker, first, second = twice
    second.episode.found_where = "Bus station on Quayside"
    second.episode.police_reference = "PR/777/2026"
    covering.attach(db, worker, first, second)
    _hold(db, worker, first, hours_ago=1)
    record = conversation_record(first, worker, now())
    assert [e.police_reference for e in record.covered_episodes] == ["PR/777/2026"]
    pdf = build_police_pdf(record)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Also covers missing episode 2" in text
    assert "Bus station on Quayside" in text and "PR/777/2026" in text
    # each episode judged against its own found time: late for the first, within for the second
    # (found 110 and 30 hours ago, held 1 hour ago: 109 - 72 = 37 hours late; 29 hours after)
    assert "72-hour timescale: Not within 72 hours (held 37 hours late)" in text
    assert "72-hour timescale, missing episode 2: Within 72 hours (held 29 hours after" in text


def test_a_time_held_before_a_covered_episode_ended_is_refused(twice, db):
    worker, first, second = twice
    covering.attach(db, worker, first, second)
    t = now()
    record_outcome(db, worker, first, "accepted", t - timedelta(hours=100), now=t)
    version = first.version
    # held 50 hours ago: after the first was found (110), before the second was (30)
    canvas = {"details": {"held_at": (t - timedelta(hours=50)).isoformat()}}
    result = save_canvas(db, worker, first, canvas, version)
    assert not result.applied and "missing episode it covers" in result.problems["held_at"]
    assert first.held_at is None and second.held_at is None


def test_a_file_that_changes_the_covering_conversation_changes_what_it_covers(world, db):
    from datetime import UTC, datetime

    from rhc_app.domain.dataset import DatasetRow

    manager = world.user("north", "manager")
    org = manager.organisation

    def row(ref, reported, found, **given):
        rhc = {"rhc_offered_at": None, "rhc_outcome": None, "rhc_held_at": None, **given}
        return DatasetRow(child_ref="FILE-1", child_name=None, date_of_birth=None, gender=None,
                          ethnicity=None, in_care=False, episode_ref=ref,
                          reported_missing_at=reported, found_at=found, police_risk=None, **rhc)

    first = row("EP1", datetime(2024, 5, 1, 8, tzinfo=UTC), datetime(2024, 5, 1, 20, tzinfo=UTC))
    second = row("EP2", datetime(2024, 5, 3, 8, tzinfo=UTC), datetime(2024, 5, 3, 20, tzinfo=UTC))
    datasets.import_rows(db, db.info["keyring"], org, [first, second])
    db.commit()
    convs = db.execute(select(Conversation).where(Conversation.organisation_id == org.id)
                       .order_by(Conversation.id)).scalars().all()
    by_found = sorted(convs, key=lambda c: c.episode.found_at)
    covering.attach(db, manager, by_found[0], by_found[1])
    db.commit()
    # held 5 May 10:00: 86 hours after the first was found, 38 after the second
    held = datetime(2024, 5, 5, 10, tzinfo=UTC)
    again = [row("EP1", first.reported_missing_at, first.found_at, rhc_offered_at=held,
                 rhc_outcome="accepted", rhc_held_at=held), second]
    datasets.import_rows(db, db.info["keyring"], org, again)
    db.commit()
    assert by_found[1].status == "covered" and by_found[1].outcome == "accepted"
    counts = datasets.quarterly_counts(db, org, 2024)["all"][0]
    assert (counts["episodes"], counts["offered"], counts["accepted"], counts["within"]) == (
        2, 2, 2, 1)
    # and every figure's list agrees with its count (one definition, figure_lists.conditions)
    scope = figure_lists.Scope(datetime(2024, 4, 1).date(), datetime(2024, 6, 30).date())
    for figure, count in counts.items():
        assert len(figure_lists.listed(db, org, figure, scope)) == count, figure


def test_the_childs_copy_names_the_days_they_came_back(twice, db):
    import io

    from pypdf import PdfReader

    from rhc_app.documents.child_pdf import build_child_pdf
    from rhc_app.domain.uk_time import format_day_for_child, london_date
    from rhc_app.services.records import conversation_record

    worker, first, second = twice
    covering.attach(db, worker, first, second)
    db.commit()
    pdf = build_child_pdf(conversation_record(first, worker, now()))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    days = [format_day_for_child(london_date(c.episode.found_at)) for c in (first, second)]
    assert "We talked about more than one time you were away." in text
    assert f"You came back on {days[0]} and on {days[1]}." in text
    covering.detach(db, worker, first, covering.covered_by(db, first)[0].id, "Wrong child")
    pdf = build_child_pdf(conversation_record(first, worker, now()))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "more than one time" not in text


def test_two_conversations_attaching_one_episode_at_once_one_wins(twice, db):
    worker, first, second = twice
    third = db.get(Conversation, make_case(db, worker, ref="TWICE-1", reported_hours_ago=10,
                                           found_hours_ago=5).conversation.id)
    # Another request covered it a moment ago; this session still reads "to offer".
    db.execute(Conversation.__table__.update().where(Conversation.id == second.id)
               .values(status="covered"))
    with pytest.raises(CaseworkError, match="already covered"):
        covering.attach(db, worker, third, second)
    db.rollback()
    assert db.execute(select(CoveredEpisode)).scalars().all() == []


def test_a_declined_conversation_lets_an_episode_go_back_but_a_completed_one_keeps_it(twice, db):
    worker, first, second = twice
    t = now()
    link = covering.attach(db, worker, first, second)
    record_outcome(db, worker, first, "declined", t - timedelta(hours=1), now=t)
    assert second.outcome == "declined"
    covering.detach(db, worker, first, link.id, "She may talk about the second time")
    assert (second.status, second.outcome) == ("to_offer", None)
    third = db.get(Conversation, make_case(db, worker, ref="TWICE-1", reported_hours_ago=10,
                                           found_hours_ago=5).conversation.id)
    record_outcome(db, worker, first, "offer", t - timedelta(minutes=30), now=t)
    link = covering.attach(db, worker, first, third)
    first.status = "completed"
    with pytest.raises(CaseworkError, match="stay with it"):
        covering.detach(db, worker, first, link.id, "Too late")
