"""The cost of "My conversations" and the team page's lists, in-process, on a smaller instance.

    python -m bench.lists                      # seeds 2,000 children, 10,000 episodes (SQLite)
    python -m bench.lists --instance DIR       # reuses an instance seeded by an earlier run

No server and no pytest: the list services are called as the views call them, each worker's
first page and the manager's team overview, then the whole "My conversations" request
(rendered, through the app's test client) for one worker; CPU time is printed per call. Five
workers hold as many conversations each as one of the full bench's fifty does (about 2,000).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import seed
from bench.load import csrf_of
from rhc_app import create_app
from rhc_app.crypto import KeyRing
from rhc_app.security.access import conversation_filter, own_work
from rhc_app.services import dashboard, listing
from rhc_app.store.db import make_engine, make_sessionmaker, utcnow
from rhc_app.store.models import Organisation, User

SMALL = seed.Scale(workers=5, managers=1, children=2_000, episodes=10_000, import_rows=0)


def _cpu_ms(call: Any, repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.process_time()
        out = call()
        times.append((time.process_time() - t0) * 1000)
    return statistics.median(times), out


def measure(instance: Path, repeat: int) -> None:
    url = f"sqlite:///{instance / 'rhc.sqlite3'}"
    engine = make_engine(url)
    factory = make_sessionmaker(engine, KeyRing.load(instance / "keys.json"))
    with factory() as s:
        org = s.execute(select(Organisation)).scalar_one()
        for u in s.execute(select(User).where(User.role.in_(("worker", "manager")))
                           .order_by(User.role.desc(), User.id)).scalars():
            if u.role == "worker":
                ms, page = _cpu_ms(lambda u=u: _names(
                    listing.worker_day(s, org, conversation_filter(u), utcnow(), 1,
                                       holders=own_work(u)).rows),
                    repeat)
                print(f"my conversations, {u.role}: {ms:6.1f} ms CPU, {len(page)} rows shown")
            else:
                ms, o = _cpu_ms(lambda: dashboard.overview(s, org, utcnow()), repeat)
                print(f"team overview, manager: {ms:6.1f} ms CPU, "
                      f"{o.totals['offer_again']} to offer again, {o.totals['due']} due")
            s.expire_all()
    engine.dispose()


def measure_page(instance: Path, repeat: int) -> None:
    url = f"sqlite:///{instance / 'rhc.sqlite3'}"
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url,
                      "SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    page = client.get("/sign-in").data
    client.post("/sign-in", data={"email": "worker00@benchshire.example.org",
                                  "password": seed.PASSWORD, "code": "",
                                  "csrf_token": csrf_of(page)})
    ms, answer = _cpu_ms(lambda: client.get("/"), repeat)
    cards = answer.data.count(b'class="govuk-summary-card"')
    print(f"my conversations page, worker00: {ms:6.1f} ms CPU, {answer.status_code}, "
          f"{cards} rows shown")
    app.extensions["rhc_database"].dispose()


def _names(found: list[Any]) -> list[Any]:
    for r in found:  # the page shows every name: decrypt them as the template would
        _ = r.child.name
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.lists", description=__doc__.split("\n")[0])
    ap.add_argument("--instance", type=Path, help="an instance an earlier run seeded")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    instance = args.instance
    if instance is None or not (instance / "rhc.sqlite3").exists():
        instance = instance or Path(tempfile.mkdtemp(prefix="rhc-bench-lists-"))
        instance.mkdir(parents=True, exist_ok=True)
        seeded = seed.seed(instance, f"sqlite:///{instance / 'rhc.sqlite3'}", SMALL)
        print(f"seeded {instance} in {seeded.seconds:.0f} s: {seeded.statuses}")
    measure(instance, args.repeat)
    measure_page(instance, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
