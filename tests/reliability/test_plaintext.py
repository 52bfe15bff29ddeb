"""The canary test: distinctive values go in through the domain functions and the web app,
then the raw database (SQLite file and WAL, or a pg_dump) and the logs are searched for them.
They must not appear anywhere, yet must read back through the models."""

from __future__ import annotations

import logging
import re
import subprocess
import traceback
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from rhc_app.domain.uk_time import today_in_london
from rhc_app.services import follow_up, oversight
from rhc_app.services.amendments import amend_episode
from rhc_app.services.children import EpisodeDetails
from rhc_app.services.conversations import complete, record_attempt, record_outcome, save_canvas
from rhc_app.services.drafts import keep_draft, load_draft
from rhc_app.services.still_missing import record_senior_manager_told
from rhc_app.services.strategy import DecisionDetails, record_decision
from rhc_app.store.models import (
    Amendment,
    Child,
    Conversation,
    Episode,
    FollowUpAction,
    LinkToken,
    SignOffEntry,
    User,
)
from tests.conftest import PG_URL, Auth, csrf_from, make_case, make_user, now
from tests.helpers_security import libpq_url, pg_tool
from tests.reliability_plugin import report

CHILD = "Quillon Zephyrine"
REF = "CANARY-REF-7781"
NOTE = "canary-note-zq81"
PERSON = "Vexley Canarywood"
PLACE = "Canarysk Wharf Lane"
ATTEMPT = "canary-attempt-pq47"
WEB_CHILD = "Ysolde Canaryhart"
WEB_REF = "CANARY-WEB-3390"
AMEND_REF = "CANARY-POL-5521"  # a police reference changed by an episode amendment
AMEND_REASON = "canary-amend-rz52"
OUTCOME = "canary-outcome-kv93"  # an action's outcome note
COMMENT = "canary-signoff-wd28"  # a manager's comment on returning the record
CHAIR = "Canarina Chairwood"  # strategy meeting decisions and the senior manager told
NOT_NEEDED = "canary-not-needed-kd30"
TOLD = "Torvald Canaryboss"
CARERS = "canary-carers-kw19"  # what the carers said when the child declined (issue 17)
DECIDER = "Thaddeus Canarydecider"  # who decided not to offer (issue 17)
CLOSED = "canary-closed-mv47"  # why an offer was closed with no further offer
# A person's phone number and car, as typed and as the people and places index folds them
# (it keeps only keyed hashes of these).
PHONE, PHONE_FOLDED = "07700 900461", "7700900461"
REG, REG_FOLDED = "CY26 QZX", "CY26QZX"
CANARIES = [CHILD, REF, NOTE, PERSON, PLACE, ATTEMPT, WEB_CHILD, WEB_REF, AMEND_REF,
            AMEND_REASON, OUTCOME, COMMENT, CHAIR, NOT_NEEDED, TOLD, CARERS, DECIDER, CLOSED,
            PHONE, PHONE_FOLDED, REG, REG_FOLDED]
STAFF = "Orlaith Canarystaff"


def _variants(value: str) -> list[bytes]:
    raw = value.encode("utf-8")
    return [raw, raw.lower(), raw.upper(), value.encode("utf-16-le"), raw.hex().encode()]


def _leaks(data: bytes, values: list[str]) -> list[str]:
    return [v for v in values if any(form in data for form in _variants(v))]


@pytest.fixture
def recorded(world, db):
    worker = world.user("north", "worker")
    episode = make_case(db, worker, name=CHILD, ref=REF)
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    record_attempt(db, worker, conv, now() - timedelta(hours=3), "phone", ATTEMPT)
    canvas = {
        "areas": {"locations": f"Stayed near {PLACE}", "child_wants": NOTE},
        "notes": [{"text": f"{NOTE} said at the door", "area": "themes", "at": ""}],
        "people": [{"name": PERSON, "description": f"older, has a car {REG}, phone {PHONE}",
                    "approximate_age": "20",
                    "relationship": "friend", "concern": "yes"}],
        "places": [{"name": PLACE, "area": "Dockside", "slept_there": "yes", "concern": "yes"}],
        "details": {"held_at": (now() - timedelta(hours=1)).isoformat(), "location": PLACE},
    }
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    keep_draft(db, worker.id, conv, {**canvas, "areas": {"themes": f"draft {NOTE}"}},
               conv.version)
    follow_up.add_action(db, worker, conv, follow_up.ActionChange(
        kind="health", owner_id=worker.id, due_on=None, status="done", outcome=OUTCOME,
        detail=f"with {PERSON}"), today_in_london())
    oversight.record_decision(db, world.user("north", "manager"), conv, "returned", COMMENT,
                              now())
    manager = world.user("north", "manager")
    record_decision(db, manager, episode.child, DecisionDetails("not_needed", reason=NOT_NEEDED))
    record_senior_manager_told(db, manager, episode, TOLD, now() - timedelta(hours=1))
    db.commit()
    _amended_episode(db, worker)
    _not_held_episodes(db, worker, world.user("north", "manager"))
    return episode


def _not_held_episodes(db, worker, manager):
    """A decline with what the carers said, then closed with a note; a decision not to offer
    with who took it."""
    from rhc_app.services.closing import close_offer
    from rhc_app.services.conversation_fields import OfferFields

    for action, fields in (("declined", OfferFields(carers_said=CARERS)),
                           ("not_offered", OfferFields(not_offered_by=DECIDER))):
        conv = db.get(Conversation, make_case(db, worker, ref=REF).conversation.id)
        record_outcome(db, worker, conv, action, now() - timedelta(hours=1), "a reason",
                       fields=fields)
        if action == "declined":
            close_offer(db, manager, conv, "other", CLOSED, now())
    db.commit()


def _amended_episode(db, worker):
    """Another episode of the child, completed, then its police reference amended."""
    episode = make_case(db, worker, ref=REF)
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    details = {"held_at": (now() - timedelta(hours=1)).isoformat(), "consent_to_share": "yes"}
    assert save_canvas(db, worker, conv, {"details": details}, conv.version).applied
    complete(db, worker, conv, worker.organisation)
    amend_episode(db, worker, episode, EpisodeDetails(
        reported_missing_at=episode.reported_missing_at, found_at=episode.found_at,
        police_risk=episode.police_risk, police_reference=AMEND_REF), AMEND_REASON)
    db.commit()


def _assert_reads_back(app, episode, worker_id):
    """Not vacuous: every canary is really stored, sealed."""
    s = app.extensions["rhc_database"].factory()
    try:
        child = s.get(Child, episode.child_id)
        assert (child.name, child.case_reference) == (CHILD, REF)
        conv = s.get(Conversation, episode.conversation.id)
        canvas = conv.canvas
        assert canvas["people"][0]["name"] == PERSON
        assert canvas["notes"][0]["text"].startswith(NOTE)
        assert canvas["places"][0]["name"] == PLACE
        indexed = set(s.execute(select(LinkToken.token_kind)).scalars())
        assert {"name", "phone", "vehicle"} <= indexed  # the index holds them, as hashes
        assert conv.attempts[0].result == ATTEMPT
        assert {(c.carers_said, c.not_offered_by) for c in s.execute(select(Conversation))
                .scalars()} >= {(CARERS, None), (None, DECIDER)}
        (amendment,) = s.execute(select(Amendment)).scalars().all()
        assert amendment.reason == AMEND_REASON and AMEND_REF in amendment.changes
        draft, _version = load_draft(s, worker_id, conv.id)
        assert NOTE in draft["areas"]["themes"]
        assert s.execute(select(FollowUpAction)).scalar_one().outcome == OUTCOME
        assert s.execute(select(SignOffEntry)).scalar_one().comment == COMMENT
        assert s.execute(select(Child).where(
            Child.case_reference_index == s.info["keyring"].index("child_ref", WEB_REF))
        ).scalar_one().name == WEB_CHILD
    finally:
        s.close()


def _web_activity(app, client, world, db, episode):
    """Sign in, add a child, search by name, view every page showing the canaries."""
    worker = world.user("north", "worker")
    auth = Auth(client)
    assert auth.sign_in(worker).status_code == 302
    r = auth.post("/children/new", {"name": WEB_CHILD, "case_reference": WEB_REF,
                                    "gender": "male", "in_care": "no"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert WEB_CHILD in auth.post("/children", {"query": WEB_CHILD}).get_data(as_text=True)
    assert CHILD in auth.post("/children", {"query": REF}).get_data(as_text=True)
    conv_id = episode.conversation.id
    for url in ("/", f"/children/{episode.child_id}", f"/conversations/{conv_id}",
                f"/conversations/{conv_id}/canvas"):
        r = client.get(url)
        assert r.status_code == 200, url
    page = client.get(f"/conversations/{conv_id}/canvas").get_data(as_text=True)
    assert PERSON in page  # shown to the worker: the canaries are really there
    day = today_in_london()
    r = auth.post(f"/children/{episode.child_id}/strategy-decision",
                  {"decision": "held", "chair": CHAIR,
                   "held_on": [str(day.day), str(day.month), str(day.year)]})
    assert r.status_code == 302
    page = client.get(f"/children/{episode.child_id}").get_data(as_text=True)
    assert CHAIR in page and NOT_NEEDED in page
    auth.sign_out()


def test_no_canary_in_logs(world, app, client, db, recorded, caplog):
    for name in (None, "sqlalchemy", "rhc_app", "flask", "werkzeug", "alembic"):
        caplog.set_level(logging.DEBUG, logger=name)
    _web_activity(app, client, world, db, recorded)
    assert caplog.records  # the log was really captured (SQL statements at DEBUG)
    text = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    leaked = [v for v in CANARIES if v.casefold() in text.casefold()]
    assert leaked == []
    _assert_reads_back(app, recorded, world.user("north", "worker").id)


def _sqlite_bytes(instance: Path) -> bytes:
    files = sorted(instance.glob("rhc.sqlite3*"))
    assert instance / "rhc.sqlite3" in files
    return b"".join(p.read_bytes() for p in files)


@pytest.mark.skipif(bool(PG_URL), reason="reads the SQLite file itself")
def test_no_canary_in_sqlite_files(world, app, client, db, recorded, instance):
    _web_activity(app, client, world, db, recorded)
    _assert_reads_back(app, recorded, world.user("north", "worker").id)
    live = _sqlite_bytes(instance)  # with the WAL as it is while the app runs
    assert recorded.child_id.encode() in live  # the records are in what we read
    assert _leaks(live, CANARIES) == []
    db.close()
    app.extensions["rhc_database"].dispose()  # checkpoint: everything in the main file
    assert _leaks(_sqlite_bytes(instance), CANARIES) == []
    report("plaintext (SQLite)", f"{len(CANARIES)} canaries entered through the domain and the web "
           "app: none in the SQLite file and WAL, live or checkpointed (plain, lower, upper, UTF-16, hex)")


@pytest.mark.skipif(not PG_URL, reason="needs the PostgreSQL test server")
def test_no_canary_in_pg_dump(world, app, client, db, recorded):
    _web_activity(app, client, world, db, recorded)
    _assert_reads_back(app, recorded, world.user("north", "worker").id)
    dump = subprocess.run([pg_tool("pg_dump"), "--no-owner", "--data-only", libpq_url(PG_URL)],
                          check=True, capture_output=True, timeout=120).stdout
    assert recorded.child_id.encode() in dump and b"COPY public.child " in dump
    assert _leaks(dump, CANARIES) == []
    # bytea is dumped as hex: the ciphertext is there, the plaintext's hex is not.
    assert re.search(rb"\\x01[0-9a-f]{40,}", dump)
    report("plaintext (pg_dump)", f"{len(CANARIES)} canaries entered through the domain and the web "
           f"app: none in a {len(dump):,}-byte pg_dump (plain, lower, upper, UTF-16, hex)")


def test_no_canary_in_episode_columns(world, db, recorded):
    """The plaintext columns (for reports) hold categories and times, never the canaries."""
    episode = db.get(Episode, recorded.id)
    plain = " ".join(str(getattr(episode, c.key)) for c in Episode.__table__.columns
                     if not c.key.endswith("_enc"))
    assert [v for v in CANARIES if v in plain] == []
    assert episode.police_reference == "PR/123/2026"


def _session_rows(db) -> str:
    db.rollback()
    db.expire_all()
    return "\n".join(db.execute(text("SELECT data FROM web_session")).scalars())


def test_allocation_keeps_no_staff_name_in_plaintext(world, app, db, recorded, caplog):
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    worker = world.user("north", "worker")
    staff = make_user(db, db.get(User, worker.id).organisation, "orlaith@north.example.org",
                      STAFF, "worker")
    db.commit()
    manager = Auth(app.test_client())
    manager.sign_in(world.user("north", "manager"))
    url = f"/conversations/{recorded.conversation.id}"
    page = manager.client.get(url).get_data(as_text=True)
    assert STAFF in page  # offered in the list: the name is really in play
    r = manager.client.post(f"{url}/allocate", data={"worker_id": staff.id,
                                                     "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    rows = _session_rows(db)
    assert db.get(Conversation, recorded.conversation.id).worker_id == staff.id
    assert STAFF not in rows
    assert STAFF not in caplog.text


def test_totp_set_up_keeps_no_secret_in_plaintext(world, app, auth, client, db):
    auth.sign_in(world.user("north", "worker"))
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert secret not in _session_rows(db)
    r = client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now(),
                                               "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    db.rollback()
    assert db.get(User, world.user("north", "worker").id).totp_secret == secret


def test_a_database_error_names_no_value_of_its_statement(app, db):
    """Tracebacks of database errors reach the logs: they hold the statement, never its values."""
    secret = "canary-param-ht52"
    with pytest.raises(IntegrityError) as failed:
        db.execute(text("INSERT INTO organisation (id, slug, name, kind) VALUES (:i, :s, NULL, NULL)"),
                   {"i": secret, "s": secret})
    db.rollback()
    assert "INSERT INTO organisation" in str(failed.value)
    logged = "".join(traceback.format_exception(failed.value))  # what logging.exception writes
    assert "hidden due to hide_parameters" in logged and secret not in logged
