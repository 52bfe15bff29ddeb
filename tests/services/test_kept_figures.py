"""The figures kept between requests (services/kept_figures.py) equal a fresh count after
every kind of write that can change one, and two app processes on one database never answer
differently. Each write is checked to change the fresh count, so a kept figure that missed it
would differ."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from rhc_app.domain import figures
from rhc_app.domain.dataset import DatasetRow
from rhc_app.domain.uk_time import today_in_london
from rhc_app.services import (
    children,
    covering,
    datasets,
    field_figures,
    figure_lists,
    kept_figures,
)
from rhc_app.services.conversation_fields import OfferFields
from rhc_app.services.conversations import record_outcome, save_canvas
from rhc_app.store.db import make_engine, make_sessionmaker
from rhc_app.store.models import Child, Conversation, Episode, User
from tests.conftest import make_case, now

PLACING = "Harrow"


def _year() -> int:
    today = today_in_london()
    return today.year if today.month >= 4 else today.year - 1


def _fresh(s: Any, org: Any) -> dict[str, Any]:
    """Every kept figure, counted again by the functions the kept ones wrap."""
    year, months = _year(), figures.month_dates(today_in_london(), 6)
    out: dict[str, Any] = {"areas": field_figures.area_choices(s, org),
                           "timeliness": figure_lists.by_worker_and_month(s, org, months)}
    for placing in ("", PLACING):
        where = field_figures.area_filter(placing, "")
        for offered in (False, True):
            out[f"q{placing}{offered}"] = datasets.quarterly_tables(s, org, year, where,
                                                                    offered=offered)
        out[f"panel{placing}"] = field_figures.panel(s, org, year, where)
    return out


def _kept(s: Any, org: Any) -> dict[str, Any]:
    year, months = _year(), figures.month_dates(today_in_london(), 6)
    out: dict[str, Any] = {"areas": kept_figures.area_choices(s, org),
                           "timeliness": kept_figures.by_worker_and_month(s, org, months)}
    for placing in ("", PLACING):
        for offered in (False, True):
            out[f"q{placing}{offered}"] = kept_figures.quarterly_tables(s, org, year, placing,
                                                                        offered=offered)
        out[f"panel{placing}"] = kept_figures.panel(s, org, year, placing)
    return out


def _agree(s: Any, org: Any) -> dict[str, Any]:
    fresh = _fresh(s, org)
    assert _kept(s, org) == fresh
    return fresh


@pytest.fixture
def team(world, db):  # type: ignore[no-untyped-def]
    """Three children of "north", one placed by Harrow, with conversations at each stage."""
    worker = world.user("north", "worker")
    cases = [make_case(db, worker, ref=f"KEPT-{i}", reported_hours_ago=30 + 20 * i,
                       found_hours_ago=20 + 20 * i, in_care=i == 1) for i in range(3)]
    child = db.get(Child, cases[0].child_id)
    children.set_placement(db, worker, child, PLACING, None)
    db.commit()
    kept_figures.forget()
    return worker, [db.get(Conversation, e.conversation.id) for e in cases]


def _accept(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=1),
                   fields=OfferFields(late_reason="child_missing_again"))


def _hold(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    _accept(db, worker, conv)
    db.commit()
    _save_held(db, worker, conv)


def _save_held(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    canvas = {"details": {"held_at": (now() - timedelta(minutes=30)).isoformat(),
                          "holder_independent": "yes"}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied


def _decline(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    record_outcome(db, worker, conv, "declined", now() - timedelta(hours=1), reason="No",
                   fields=OfferFields(late_reason="child_missing_again"))


def _edit_episode(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    episode = db.get(Episode, conv.episode_id)
    earlier = now() - timedelta(days=400)  # into last year: this year's counts change
    children.update_episode(db, worker, episode, children.EpisodeDetails(
        reported_missing_at=earlier, found_at=earlier + timedelta(hours=2)))


def _add_episode(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    make_case(db, worker, ref="KEPT-new", reported_hours_ago=5, found_hours_ago=2)


def _place(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    child = db.get(Child, db.get(Episode, conv.episode_id).child_id)
    children.set_placement(db, worker, child, "Brent", "Leeds")


def _import(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    datasets.import_rows(db, db.info["keyring"], worker.organisation, [DatasetRow(
        child_ref="KEPT-imported", child_name=None, date_of_birth=None, gender=None,
        ethnicity=None, in_care=True, episode_ref="EP-KEPT", reported_missing_at=at,
        found_at=at + timedelta(hours=2), police_risk=None, rhc_offered_at=None,
        rhc_outcome=None, rhc_held_at=None, placing_authority=PLACING)])


def _cover(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    first, second = conv, _second_of_same_child(db, worker, conv)
    _hold(db, worker, first)
    db.commit()
    _agree(db, worker.organisation)  # kept as it stands before the attaching
    covering.attach(db, worker, first, second)


def _second_of_same_child(db, worker, conv):  # type: ignore[no-untyped-def]
    child = db.get(Child, db.get(Episode, conv.episode_id).child_id)
    episode = make_case(db, worker, ref=child.case_reference, reported_hours_ago=26,
                        found_hours_ago=24)
    return db.get(Conversation, episode.conversation.id)


def _rename_worker(db, worker, conv) -> None:  # type: ignore[no-untyped-def]
    db.get(User, worker.id).name = "Aardvark Renamed"


WRITES = {"accepted": _accept, "held (canvas saved)": _save_held, "declined": _decline,
          "episode edited": _edit_episode, "episode added": _add_episode,
          "child's councils changed": _place, "import": _import, "episode covered": _cover,
          "worker renamed": _rename_worker}
BEFORE = {"held (canvas saved)": _accept}  # done before the figures are kept


@pytest.mark.parametrize("write", list(WRITES))
def test_kept_figures_equal_a_fresh_count_after_each_kind_of_write(team, db, write):
    worker, convs = team
    org = worker.organisation
    if write in BEFORE:
        BEFORE[write](db, worker, convs[0])
        db.commit()
    before = _agree(db, org)
    WRITES[write](db, worker, convs[0])
    db.commit()
    after = _agree(db, org)
    assert after != before, "the write must change a figure, or the test proves nothing"


def test_detaching_a_covered_episode_recounts(team, db):
    worker, convs = team
    _cover(db, worker, convs[0])
    db.commit()
    before = _agree(db, worker.organisation)
    link = covering.covered_by(db, convs[0])[0]
    covering.detach(db, worker, convs[0], link.id, "Not the same absence")
    db.commit()
    assert _agree(db, worker.organisation) != before


def test_notes_saved_alone_keep_the_figures(team, db):
    """An autosave of notes changes no count: the version stays, the figures are reused."""
    from rhc_app.store import figures_version

    worker, convs = team
    _hold(db, worker, convs[0])
    db.commit()
    version = figures_version.read(db, worker.organisation_id)
    conv = db.get(Conversation, convs[0].id)
    canvas = {**conv.canvas, "areas": {"locations": "By the canal"}}
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    assert figures_version.read(db, worker.organisation_id) == version
    # and a new time held, saved the same way, is a new version
    later = {**canvas, "details": {**canvas["details"],
                                   "held_at": (now() - timedelta(minutes=5)).isoformat()}}
    assert save_canvas(db, worker, conv, later, conv.version).applied
    db.commit()
    assert figures_version.read(db, worker.organisation_id) != version


def test_a_transaction_sees_its_own_changes_and_a_rollback_leaves_nothing_kept(team, app):
    worker, convs = team
    database = app.extensions["rhc_database"]
    engine = make_engine(database.url)  # real transactions (the db fixture autocommits)
    s = make_sessionmaker(engine, database.keyring)()
    try:
        me = s.get(User, worker.id)
        before = _agree(s, me.organisation)
        _decline(s, me, s.get(Conversation, convs[0].id))  # not committed
        assert _agree(s, me.organisation) != before  # its own change, for it alone
        s.rollback()
        assert _agree(s, s.get(User, worker.id).organisation) == before
    finally:
        s.close()
        engine.dispose()


def test_two_processes_never_answer_differently(team, app, db, monkeypatch):
    """Each process keeps its own figures (a dictionary of the module): process B writes,
    process A, which counted before the write, answers as B does."""
    worker, convs = team
    database = app.extensions["rhc_database"]
    engines = [make_engine(database.url) for _ in range(2)]
    sessions = [make_sessionmaker(e, database.keyring)() for e in engines]
    kept_in = [OrderedDict(), OrderedDict()]  # type: ignore[var-annotated]

    def answer(i: int) -> dict[str, Any]:
        monkeypatch.setattr(kept_figures.KEPT, "answers", kept_in[i])
        s = sessions[i]
        s.rollback()  # a new request, a new transaction
        org = s.get(User, worker.id).organisation
        return _kept(s, org)

    try:
        assert answer(0) == answer(1)
        s = sessions[1]
        _hold(s, s.get(User, worker.id), s.get(Conversation, convs[1].id))
        s.commit()
        assert answer(0) == answer(1) == _fresh(db, worker.organisation)
    finally:
        for s in sessions:
            s.close()
        for e in engines:
            e.dispose()


def test_a_version_row_comes_with_each_new_organisation(world, db):
    from rhc_app.store.models import FiguresVersion

    rows = db.execute(select(FiguresVersion.organisation_id)).scalars().all()
    assert sorted(rows) == sorted(o.org.id for o in world.orgs.values())
