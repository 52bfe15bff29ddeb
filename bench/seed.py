"""Seed a realistic instance through the real models and the real encryption seam.

One organisation, its workers and managers, children, missing episodes over three years and
one conversation per episode (as the app makes them), the notes of the held ones as full
canvas JSON with people and places. Everything sealed is sealed by the models' `sealed`
fields with the instance's own key ring (`session.info["keyring"]`), so the rows are exactly
what the app would have written. Rows are added in batches, one flush and commit per batch.

Deterministic: the same scale and seed give the same instance (apart from ciphertexts and ids).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain.risk_factors import RISK_FACTORS
from rhc_app.domain.uk_time import to_london
from rhc_app.domain.vocabulary import ACTIONS, AREAS
from rhc_app.security.passwords import hash_password
from rhc_app.services import connections
from rhc_app.services.canvas import empty_canvas
from rhc_app.store.db import make_engine, make_sessionmaker, new_id
from rhc_app.store.models import (
    Child,
    ContactAttempt,
    Conversation,
    Episode,
    FollowUpAction,
    LinkToken,
    Organisation,
    StrategyDecision,
    User,
)

from . import casework
from .people import People

ROOT = Path(__file__).resolve().parent.parent
ORG_SLUG = "benchshire"
PASSWORD = "bench-return-home-conversations"
WITH_NOTES = ("in_progress", "awaiting_signoff", "completed")


@dataclass(frozen=True)
class Scale:
    workers: int
    managers: int
    children: int
    episodes: int
    import_rows: int
    years: float = 3.0
    batch: int = 2000
    still_missing: int = 40  # episodes with no found time, besides the few the plan leaves
    decisions: int = 40  # strategy meeting decisions, for the children missing most


FULL = Scale(workers=50, managers=5, children=20_000, episodes=100_000, import_rows=50_000)
QUICK = Scale(workers=6, managers=2, children=300, episodes=1_500, import_rows=1_000, batch=500,
              still_missing=8, decisions=6)


@dataclass
class Seeded:
    """What the load driver needs to know about the instance (ids only, nothing sealed)."""

    url: str
    instance: Path
    org_id: str
    workers: list[tuple[str, str]]  # (user id, e-mail)
    managers: list[tuple[str, str]]
    work: dict[str, list[str]]  # worker id -> conversations they hold that are in progress
    connection: str | None = None  # a person's token that links several children lately
    counts: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    db_bytes: int | None = None
    record_bytes: dict[str, float] = field(default_factory=dict)


def bin_dir() -> Path:
    """The virtualenv's bin folder (`make bench` runs .venv/bin/python)."""
    here = Path(sys.executable).parent
    return here if (here / "rhc").exists() else ROOT / ".venv" / "bin"


def app_env(instance: Path, url: str) -> dict[str, str]:
    """The environment of a deployed instance: no developer RHC_ settings leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RHC_")}
    env.update(RHC_INSTANCE_PATH=str(instance), RHC_DATABASE_URL=url,
               RHC_SESSION_COOKIE_SECURE="false", PYTHONUNBUFFERED="1")
    return env


def rhc(instance: Path, url: str, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run the real `rhc` command against the instance."""
    result = subprocess.run([str(bin_dir() / "rhc"), *args], env=app_env(instance, url),
                            capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"rhc {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result


# -- text ------------------------------------------------------------------------------------
FIRST = ("Aaliyah Alfie Amara Archie Ava Bella Caleb Chloe Daisy Darius Eden Elijah Ellie Ethan "
         "Evie Finley Freya Grace Harley Harvey Isla Jack Jayden Kai Keira Layla Leo Lexi Liam "
         "Lily Logan Maisie Mason Mia Nathan Nia Noah Olivia Oscar Poppy Reggie Riley Rosie Ruby "
         "Sami Scarlett Sienna Summer Theo Tia Toby Tyler Zain Zara Zoe Kacper Amir Priya Dylan "
         "Jordan Tyrese Kian Shannon").split()
LAST = ("Ahmed Ali Allen Bailey Baker Begum Bennett Brown Campbell Carter Clarke Cole Collins "
        "Cooper Davies Edwards Evans Fisher Green Hall Harris Hughes Hussain Jackson James Jones "
        "Kaur Khan King Lewis Marshall Martin Mitchell Moore Morgan Murphy Nowak Okafor Owen "
        "Palmer Patel Phillips Price Roberts Robinson Shaw Singh Smith Taylor Thomas Turner "
        "Walker Ward Watson White Williams Wilson Wood Wright Young Mensah Kowalski").split()
ETHNICITIES = ("White British", "White and Black Caribbean", "Black African", "Black Caribbean",
               "Pakistani", "Bangladeshi", "Indian", "White Other", "Any other mixed background",
               "Gypsy/Roma", "Chinese", "Not recorded")
PLACES = ("the retail park", "a flat above the takeaway on Station Road", "the bus station",
          "an older friend's house in the east of the city", "the skate park", "a hotel near the "
          "motorway services", "the canal towpath", "a house in another county", "the 24-hour "
          "McDonald's", "a trap house the police know about", "her boyfriend's mum's house",
          "the park behind the leisure centre", "a car park in town", "the train station",
          "an Airbnb booked by someone she did not know", "his cousin's flat", "the beach huts",
          "a garage on the industrial estate", "the shopping centre", "a friend's caravan")
SENTENCES = (
    "{n} said they left after an argument about their phone being taken away at bedtime.",
    "{n} told me they went to {p} with two older boys they met on Snapchat last month.",
    "They were given a lift by a man they called 'Uncle' and did not know his real name.",
    "{n} was quiet at first and kept their hood up, but relaxed when we talked about football.",
    "Carer reports {n} came back hungry, tired and wearing a jacket that was not theirs.",
    "{n} said nobody hurt them, but later said 'I don't want to talk about the stairs'.",
    "They slept at {p} and said there were about six other young people there.",
    "{n} has a new phone and some cash; they said a friend gave it to them for free.",
    "{n} said they feel nobody at home listens and that the placement feels like a prison.",
    "We talked about what a safe adult looks like and who {n} could call at night.",
    "{n} agreed that I share the places they named with the police missing persons unit.",
    "They described being asked to carry a bag to {p} and being told they owed money.",
    "Mum says {n} has been going missing more since the move to the new school in September.",
    "{n} said they wanted to see their dad, who they have not been allowed to contact.",
    "The foster carer noticed a strong smell of cannabis and a cut on their left hand.",
    "{n} said school is 'pointless' and that they have not been in for two weeks.",
    "My analysis: the pattern of older males, gifts and travel fits criminal exploitation.",
    "This is the fourth episode in five weeks and each time {n} returns with new items.",
    "I gave {n} the Missing People number, 116 000, and the Childline number, 0800 1111.",
    "{n} wants to move back to their nan's house and to keep the same social worker.",
    "They said they stayed at {p} because it was warm and there was food and Wi-Fi.",
    "{n} became upset when I asked about the man at {p} and we moved on to other things.",
    "Carer says {n} went straight to bed, slept for fourteen hours and then ate three meals.",
    "{n} said the older girl, Kez, posts about parties and tells them where to go.",
    "There is a risk that {n} is being used to hold drugs; intelligence to be submitted.",
    "{n} does not see themselves as having been missing: 'I knew where I was.'",
    "We agreed a safety plan: {n} will text their carer by 10 pm if they are not coming home.",
    "I will ask for a strategy meeting because of the repeat episodes and the new contacts.",
    "{n} said the police were kind when they were found but that they felt embarrassed.",
    "They travelled by train without a ticket and someone met them at the other end.",
    "{n} talked about feeling anxious and not sleeping; they would like to see CAMHS again.",
    "{n} said they were pulled out of the house by friends who were waiting outside.",
    "The child's account is consistent with what police recorded at the safe and well check.",
    "{n} said they would rather talk to me than to the police and asked me to come back.",
    "I noticed {n} checking their phone constantly and reading messages under the table.",
    "{n} said they were at {p} with their girlfriend and her brother, who is nineteen.",
    "They said a man gave them vapes and alcohol and took photos of them on his phone.",
    "{n} was clear they did not want their mum told about where they had been.",
    "Nan reports {n} is 'not the same child' and stays out later every week.",
    "{n} has been excluded twice this term and feels the teachers are against them.",
)
AREA_WEIGHT = {"victims": 1.0, "offenders": 0.9, "locations": 0.9, "themes": 0.8,
               "push_factors": 1.0, "pull_factors": 0.8, "child_wants": 0.7,
               "carer_observations": 0.8, "worker_analysis": 1.3, "safety_advice": 0.6}


class Writer:
    """Realistic note text quickly: sentences drawn from a fixed set, with names and places."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = People(rng)

    def text(self, name: str, low: int, high: int, median: int) -> str:
        target = min(high, max(low, int(self.rng.lognormvariate(0, 0.6) * median)))
        out: list[str] = []
        size = 0
        rng = self.rng
        while size < target:
            s = rng.choice(SENTENCES).format(n=name, p=rng.choice(PLACES))
            out.append(s)
            size += len(s) + 1
        return " ".join(out)

    def canvas(self, name: str, held_at: datetime | None, consent: str, codes: list[str],
               actions: list[str], partial: bool) -> dict[str, Any]:
        rng = self.rng
        c = empty_canvas()
        fill = 0.45 if partial else 0.85
        for key in AREAS:
            if rng.random() < fill:
                c["areas"][key] = self.text(name, 200, 3500, int(700 * AREA_WEIGHT[key]))
        d = c["details"]
        d.update(held_at=held_at.isoformat() if held_at else "",
                 method=rng.choice(("face_to_face",) * 4 + ("phone", "video")),
                 location=rng.choice(("At home", "At school", "In a café", "In my car",
                                      "At the foster placement", "At the youth centre")),
                 present=rng.choice(("Child alone", "Child and foster carer", "Child and mum")),
                 seen_alone=rng.choice(("yes", "yes", "no")), independent_offered="yes",
                 language="English", interpreter="no", consent_to_share=consent,
                 sees_self_missing=rng.choice(("yes", "no", "unsure")),
                 how_got_home=self.text(name, 60, 400, 150),
                 helplines_given="Missing People 116 000 (call or text); Childline 0800 1111.")
        # A canvas in progress (the one each bench client opens and saves) names at least one
        # recurring person and place, so its autosave writes index rows worth measuring.
        people = rng.choice((0, 1, 1, 2, 2, 3))
        for i in range(max(people, 1) if partial else people):
            c["people"].append(self.people.person(rng, self.text(name, 100, 1500, 400),
                                                  force_recurring=partial and i == 0))
        places = rng.choice((0, 1, 1, 2, 2, 3))
        for i in range(max(places, 1) if partial else places):
            c["places"].append(self.people.place(rng, PLACES, self.text(name, 100, 1200, 300),
                                                 force_recurring=partial and i == 0))
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            c["notes"].append({"text": self.text(name, 40, 600, 160),
                               "area": rng.choice(("", *AREAS)),
                               "at": (held_at or datetime.now(UTC)).isoformat(timespec="minutes")})
        c["risk_factors"] = codes
        c["actions"] = actions
        if actions:
            c["actions_detail"] = self.text(name, 80, 800, 250)
        return c


# -- the plan ----------------------------------------------------------------------------------
@dataclass
class PlannedChild:
    id: str
    ref: str
    name: str
    worker: int  # index of the worker who usually holds this child's conversations
    in_care: bool
    born: datetime
    gender: str
    ethnicity: str


@dataclass
class PlannedEpisode:
    child: int
    reported: datetime
    found: datetime | None
    status: str
    worker: int | None
    seq: int


def _status(rng: random.Random, age: timedelta) -> str:
    if age <= timedelta(days=3):
        table = (("to_offer", 35), ("offered", 25), ("accepted", 15), ("in_progress", 20),
                 ("declined", 5))
    elif age <= timedelta(days=60):
        table = (("completed", 45), ("in_progress", 20), ("awaiting_signoff", 5),
                 ("accepted", 3), ("declined", 15), ("not_completed", 10), ("to_offer", 1),
                 ("offered", 1))
    else:
        table = (("completed", 59), ("declined", 24), ("not_completed", 15),
                 ("in_progress", 1), ("to_offer", 0.5), ("offered", 0.5))
    names, weights = zip(*table, strict=True)
    return rng.choices(names, weights)[0]


def plan(scale: Scale, now: datetime, rng: random.Random
         ) -> tuple[list[PlannedChild], list[PlannedEpisode]]:
    children = []
    for i in range(scale.children):
        born = now - timedelta(days=rng.uniform(9.5 * 365, 17.9 * 365))
        children.append(PlannedChild(
            id=new_id(), ref=f"BENCH-C{i:06d}", name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            worker=rng.randrange(scale.workers), in_care=rng.random() < 0.35, born=born,
            gender=rng.choices(("female", "male", "other", "not_recorded"), (48, 48, 2, 2))[0],
            ethnicity=rng.choice(ETHNICITIES)))
    # Every child goes missing at least once; a few go missing very often (repeat missing).
    weights = [rng.paretovariate(1.3) for _ in children]
    owners = list(range(len(children)))
    owners += rng.choices(range(len(children)), weights, k=scale.episodes - len(children))
    span = timedelta(days=365 * scale.years)
    episodes = []
    for seq, ci in enumerate(owners):
        reported = now - timedelta(hours=2) - span * rng.random() ** 1.15  # more recent episodes
        age = now - reported
        status = _status(rng, age)
        no_found = status in ("to_offer", "offered") and rng.random() < (0.15 if age.days < 7
                                                                         else 0.02)
        found = None if no_found else min(reported + timedelta(hours=rng.uniform(1, 60)),
                                          now - timedelta(minutes=30))
        worker: int | None = children[ci].worker if rng.random() < 0.8 else \
            rng.randrange(scale.workers)
        if status in ("to_offer", "offered", "declined", "not_completed", "completed") and \
                rng.random() < 0.103:
            worker = None  # about 10% not allocated (imported, or waiting for a manager)
        episodes.append(PlannedEpisode(ci, reported, found, status, worker, seq))
    # A few dozen children still missing (no found time), most of them for a few days, some
    # for weeks: their conversations are waiting to be offered.
    recent = [e for e in episodes if e.status == "to_offer" and e.found is not None]
    for e in rng.sample(recent, min(len(recent), scale.still_missing)):
        e.found = None
    # Every worker has conversations in progress to open, save and print.
    held = Counter(e.worker for e in episodes if e.status == "in_progress")
    for w in range(scale.workers):
        if held[w] < 3:
            mine = [e for e in episodes if e.worker == w and e.status == "completed"]
            for e in sorted(mine, key=lambda e: e.reported)[-(3 - held[w]):]:
                e.status = "in_progress"
    return children, episodes


# -- building rows -----------------------------------------------------------------------------
def _codes(rng: random.Random, k: int) -> list[str]:
    return sorted(rng.sample(list(RISK_FACTORS), k))


def _conversation(rng: random.Random, writer: Writer, e: PlannedEpisode, child: PlannedChild,
                  episode_id: str, org_id: str, worker_ids: list[str], now: datetime
                  ) -> tuple[Conversation, ContactAttempt | None]:
    worker_id = worker_ids[e.worker] if e.worker is not None else None
    conv = Conversation(id=new_id(), organisation_id=org_id, episode_id=episode_id,
                        worker_id=worker_id, status=e.status, updated_at=now)
    base = e.found or e.reported

    def later(hours: float) -> datetime:
        return min(base + timedelta(hours=hours), now - timedelta(minutes=5))

    offered = later(rng.uniform(2, 60)) if e.status != "to_offer" else None
    conv.offered_at = offered
    if e.status in ("declined", "not_completed"):
        conv.outcome, conv.outcome_at = e.status, later(rng.uniform(60, 120))
        conv.outcome_reason = rng.choice((
            "Said they did not want to talk about it and that they were fine.",
            "No answer at the door on three visits; phone switched off.",
            "Missing again before the conversation could be held.",
            "Would only talk to their social worker, who has been told.", None))
    attempt = None
    if offered is not None and rng.random() < 0.5:
        attempt = ContactAttempt(id=new_id(), conversation_id=conv.id, at=offered,
                                 method=rng.choice(("phone", "text", "face_to_face",
                                                    "via_carer")),
                                 result=rng.choice(("Spoke to carer, visit arranged",
                                                    "No answer, left a message",
                                                    "Child agreed to meet after school")),
                                 by_user_id=worker_id)
    if e.status in ("accepted", *WITH_NOTES):
        conv.outcome, conv.outcome_at = "accepted", offered
    if e.status in WITH_NOTES:
        held = later(rng.gammavariate(2.0, 22.0))  # about 70% within 72 hours
        consent = rng.choice(("yes", "yes", "yes", "no"))
        codes = _codes(rng, rng.choice((0, 1, 1, 2, 2, 3, 4)))
        actions = sorted(rng.sample(list(ACTIONS), rng.choice((0, 1, 1, 2, 3))))
        conv.held_at = held if e.status != "in_progress" or rng.random() < 0.7 else None
        conv.consent_to_share = consent
        conv.risk_factors, conv.actions = codes, actions
        conv.canvas = writer.canvas(child.name.split()[0], conv.held_at, consent, codes,
                                    actions, partial=e.status == "in_progress")
        conv.version = rng.randint(2, 25)
        conv.updated_at = later(rng.uniform(70, 200))
        conv.updated_by = worker_id
        if e.status != "in_progress":
            conv.completed_at = conv.updated_at
            conv.completed_by = worker_id
            if rng.random() < 0.6:
                conv.child_summary = writer.text(child.name.split()[0], 300, 1800, 700)
    else:
        conv.canvas = empty_canvas()
    return conv, attempt


def _users(s: Session, ring: KeyRing, org: Organisation, scale: Scale
           ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    # One real argon2id hash (library defaults, as `rhc users create` makes), shared: hashing
    # fifty times would only cost time.
    password_hash = hash_password(PASSWORD, fast=False)
    made: dict[str, list[tuple[str, str]]] = {"worker": [], "manager": []}
    for role, count in (("worker", scale.workers), ("manager", scale.managers)):
        for i in range(count):
            email = f"{role}{i:02d}@benchshire.example.org"
            user = User(id=new_id(), organisation_id=org.id, email_index=ring.index("email", email),
                        email=email, name=f"{FIRST[i % len(FIRST)]} {LAST[-1 - i % len(LAST)]}",
                        role=role, must_change_password=False, password_hash=password_hash)
            s.add(user)
            made[role].append((user.id, email))
    return made["worker"], made["manager"]


def seed(instance: Path, url: str, scale: Scale, seed_value: int = 2026,
         log: Any = print) -> Seeded:
    """Initialise the instance with the real `rhc init`, then fill it."""
    t0 = time.perf_counter()
    rhc(instance, url, "init")
    ring = KeyRing.load(instance / "keys.json")
    engine = make_engine(url)
    factory = make_sessionmaker(engine, ring)
    rng = random.Random(seed_value)
    writer = Writer(rng)
    now = datetime.now(UTC).replace(microsecond=0)
    children, episodes = plan(scale, now, rng)
    with factory() as s:
        org = Organisation(id=new_id(), slug=ORG_SLUG, name="Benchshire Children's Services")
        s.add(org)
        s.flush()
        workers, managers = _users(s, ring, org, scale)
        s.commit()
        org_id = org.id
        for start in range(0, len(children), scale.batch):
            for c in children[start:start + scale.batch]:
                s.add(Child(id=c.id, organisation_id=org_id, name=c.name,
                            name_index=ring.index("child_name", c.name),
                            date_of_birth=c.born.date().isoformat(), gender=c.gender,
                            ethnicity=c.ethnicity, case_reference=c.ref,
                            case_reference_index=ring.index("child_ref", c.ref),
                            in_care=c.in_care, home_area=rng.choice(("North", "South", "East",
                                                                     "West", "Central")),
                            created_at=now - timedelta(days=365 * scale.years + 1)))
            s.commit()
            s.expunge_all()
        log(f"    {len(children):,} children in {time.perf_counter() - t0:.1f} s")
        worker_ids = [w for w, _ in workers]
        sizes: list[int] = []
        by_child: dict[str, list[tuple[str, datetime]]] = {}
        for start in range(0, len(episodes), scale.batch):
            after: list[Any] = []
            for e in episodes[start:start + scale.batch]:
                child = children[e.child]
                ref = f"BENCH-E{e.seq:07d}"
                in_care = child.in_care or rng.random() < 0.05
                episode = Episode(
                    id=new_id(), organisation_id=org_id, child_id=child.id, episode_ref=ref,
                    episode_ref_index=ring.index("episode_ref", ref), reported_missing_at=e.reported,
                    found_at=e.found, found_where=rng.choice(PLACES) if e.found else None,
                    missing_from="care" if in_care else "home", in_care=in_care,
                    police_risk=rng.choices(("low", "medium", "high"), (50, 40, 10))[0],
                    police_reference=f"PR/{rng.randint(10000, 99999)}/{e.reported.year}",
                    created_at=min(e.reported + timedelta(hours=1), now))
                conv, attempt = _conversation(rng, writer, e, child, episode.id, org_id,
                                              worker_ids, now)
                s.add(episode)
                s.add(conv)  # sealed here, on attach, with the session's key ring
                if e.status in WITH_NOTES:
                    sizes.append(len(conv.record_enc))
                    # Added after the batch's conversations are written (their foreign key).
                    after += casework.links(ring, conv, child.id)
                    after += casework.actions(rng, conv, now)
                by_child.setdefault(child.id, []).append((episode.id, e.reported))
                if attempt is not None:
                    s.add(attempt)
            s.flush()
            s.add_all(after)
            s.commit()
            s.expunge_all()
            if (start // scale.batch) % 10 == 9:
                log(f"    {start + scale.batch:,} episodes in {time.perf_counter() - t0:.1f} s")
        s.add_all(casework.decisions(rng, org_id, by_child, [m for m, _ in managers], now,
                                     scale.decisions))
        s.commit()
        work: dict[str, list[str]] = {}
        for wid, cid in s.execute(select(Conversation.worker_id, Conversation.id)
                                  .where(Conversation.status == "in_progress",
                                         Conversation.worker_id.is_not(None))
                                  .order_by(Conversation.id)):
            work.setdefault(wid, []).append(cid)
        counts = {name: s.execute(select(func.count()).select_from(model)).scalar_one()
                  for name, model in (("users", User), ("children", Child),
                                      ("episodes", Episode), ("conversations", Conversation),
                                      ("contact_attempts", ContactAttempt),
                                      ("index_rows", LinkToken),
                                      ("follow_up_actions", FollowUpAction),
                                      ("strategy_decisions", StrategyDecision))}
        counts["still_missing"] = s.execute(select(func.count()).select_from(Episode).where(
            Episode.found_at.is_(None))).scalar_one()
        counts["open_overdue_actions"] = s.execute(select(func.count()).select_from(
            FollowUpAction).where(FollowUpAction.status == "open",
                                  FollowUpAction.due_on < to_london(now).date())).scalar_one()
        connection = busy_connection(s, org_id, now)
        counts["conversations_with_notes"] = len(sizes)
        counts["unallocated"] = s.execute(select(func.count()).select_from(Conversation).where(
            Conversation.worker_id.is_(None))).scalar_one()
        statuses = dict(s.execute(select(Conversation.status, func.count())
                                  .group_by(Conversation.status)).all())
    finish(engine)
    seconds = time.perf_counter() - t0
    sizes.sort()
    record_bytes = {"median": float(sizes[len(sizes) // 2]) if sizes else 0.0,
                    "mean": sum(sizes) / len(sizes) if sizes else 0.0,
                    "p95": float(sizes[int(len(sizes) * 0.95)]) if sizes else 0.0}
    out = Seeded(url=url, instance=instance, org_id=org_id, workers=workers, managers=managers,
                 work=work, connection=connection, counts=counts, statuses=statuses, seconds=seconds,
                 record_bytes=record_bytes)
    out.db_bytes = database_bytes(url)
    engine.dispose()
    return out


def busy_connection(s: Session, org_id: str, now: datetime) -> str | None:
    """The connection page the bench opens: a phone number of one of the recurring people
    that links several children (nearest to five) in the last 90 days."""
    found = connections.all_connections(s, org_id, now - timedelta(days=90), now)
    phones = sorted((c for c in found if c.token_kind == "phone"),
                    key=lambda c: (abs(c.children - 5), c.token))
    return phones[0].token if phones else (found[0].token if found else None)


def finish(engine: Any) -> None:
    """What a running deployment would have done by itself after a bulk load: PostgreSQL's
    autovacuum analyses new tables; SQLite (as the app configures it) keeps no statistics,
    so nothing is done there."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def database_bytes(url: str) -> int | None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.exists())
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    finally:
        engine.dispose()


# -- the import file -------------------------------------------------------------------------
def import_csv(scale: Scale, seeded_children: int, path: Path, seed_value: int = 7) -> int:
    """The standard dataset as a case system exports it: new episodes, for children already
    known (about a third of rows) and new ones."""
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(("child_ref", "child_name", "date_of_birth", "gender", "ethnicity", "in_care",
                "episode_ref", "reported_missing_at", "found_at", "police_risk",
                "rhc_offered_at", "rhc_outcome", "rhc_held_at", "risk_factors"))
    new_children = max(1, scale.import_rows // 4)
    births: dict[str, str] = {}

    def local(t: datetime) -> str:
        return to_london(t).strftime("%Y-%m-%d %H:%M")

    for i in range(scale.import_rows):
        if rng.random() < 0.35 and seeded_children:
            ref, name = f"BENCH-C{rng.randrange(seeded_children):06d}", ""
        else:
            ref = f"IMPORT-C{rng.randrange(new_children):06d}"
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        dob = births.setdefault(ref, "") if ref.startswith("BENCH") else births.setdefault(
            ref, (now - timedelta(days=rng.uniform(10 * 365, 17.5 * 365))).date().isoformat())
        reported = now - timedelta(days=rng.uniform(7, 365 * 2))
        found = reported + timedelta(hours=rng.uniform(1, 48))
        outcome = rng.choices(("", "accepted", "declined", "not_completed"), (10, 60, 20, 10))[0]
        offered = found + timedelta(hours=rng.uniform(1, 40)) if outcome or rng.random() < 0.5 \
            else None
        held = offered + timedelta(hours=rng.uniform(1, 60)) if outcome == "accepted" and offered \
            else None
        codes = ";".join(_codes(rng, rng.choice((0, 1, 2)))) if held else ""
        w.writerow((ref, name, dob, rng.choice(("female", "male", "")), rng.choice(ETHNICITIES),
                    rng.choice(("yes", "no")), f"IMPORT-E{i:07d}", local(reported), local(found),
                    rng.choice(("low", "medium", "high")), local(offered) if offered else "",
                    outcome, local(held) if held else "", codes))
    path.write_text(out.getvalue(), encoding="utf-8")
    return scale.import_rows


def summary_json(seeded: Seeded) -> dict[str, Any]:
    return {"seconds": round(seeded.seconds, 1), "counts": seeded.counts,
            "statuses": seeded.statuses, "database_bytes": seeded.db_bytes,
            "sealed_record_bytes": seeded.record_bytes}


if __name__ == "__main__":  # pragma: no cover - a manual check: python -m bench.seed DIR
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    result = seed(target, f"sqlite:///{target / 'rhc.sqlite3'}", QUICK)
    print(json.dumps(summary_json(result), indent=2))
