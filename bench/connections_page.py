"""The connections list, one connection's page and hotspots, in-process: CPU per request.

    python -m bench.connections_page                   # seeds a 20 % instance (SQLite), minutes
    python -m bench.connections_page --instance DIR    # reuses an instance an earlier run seeded
    python -m bench.connections_page --profile         # and prints a pyinstrument profile of each

No server: the app's test client, signed in as a manager, GETs `/connections` (the last 90
days, page 1), the page of the connection the full bench opens (bench/seed.py's
`busy_connection`) and `/hotspots` (90 days) several times each; the median and p90 of
time.process_time per request are printed, each page twice: as kept (services/kept_links.py:
the index has not changed since it was counted) and counted again (nothing kept, as after a
save that changed a person or place). The instance is bench/seed.py's at a fifth of the
full size (4,000 children, 20,000 episodes), with its people and places and casework.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from bench import inprocess, seed
from rhc_app.crypto import KeyRing
from rhc_app.services import kept_links
from rhc_app.store.db import make_engine, make_sessionmaker, utcnow
from rhc_app.store.models import Organisation

FIFTH = seed.Scale(workers=10, managers=1, children=4_000, episodes=20_000, import_rows=0)
MANAGER = "manager00@benchshire.example.org"


def _timed(call: Any, repeat: int) -> tuple[list[float], list[float], Any]:
    """CPU and wall ms per call: the wall includes the database's waits (an audit commit)."""
    cpu, wall, out = [], [], None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        out = call()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return cpu, wall, out


def _line(what: str, cpu: list[float], wall: list[float]) -> str:
    cpu = sorted(cpu)
    return (f"{what:<32} {statistics.median(cpu):7.1f} ms CPU median, "
            f"{cpu[int(len(cpu) * 0.9)]:7.1f} p90, {statistics.median(wall):7.1f} ms wall "
            f"median, {len(cpu)} requests")


def _counted_again(page: Any) -> Any:
    """The page as the first request after a change to the index finds it: nothing kept."""
    def get() -> Any:
        kept_links.forget()
        return page()
    return get


def busy_token(instance: Path) -> str:
    engine = make_engine(f"sqlite:///{instance / 'rhc.sqlite3'}")
    with make_sessionmaker(engine, KeyRing.load(instance / "keys.json"))() as s:
        org_id = s.query(Organisation.id).scalar()
        token = seed.busy_connection(s, org_id, utcnow())
    engine.dispose()
    assert token, "no connection in the last 90 days"
    return token


def measure(instance: Path, repeat: int, profile: bool) -> None:
    token = busy_token(instance)
    app, client = inprocess.signed_in(instance, MANAGER)

    def getter(url: str) -> Any:
        def get() -> Any:
            answer = client.get(url)
            assert answer.status_code == 200, (url, answer.status_code)
            return answer
        return get

    pages = {"connections, 90 days": getter("/connections"),
             "one connection": getter(f"/connections/{token}"),
             "hotspots, 90 days": getter("/hotspots")}
    for what, page in pages.items():
        _timed(page, 2)  # warm: templates compiled, caches filled
        cpu, wall, answer = _timed(page, repeat)
        print(_line(what + ", kept", cpu, wall) + f", {len(answer.data):,} bytes")
        cpu, wall, _ = _timed(_counted_again(page), repeat)
        print(_line(what + ", counted", cpu, wall))
    if profile:
        for what, page in pages.items():
            inprocess.profile(what, page, 5)
    app.extensions["rhc_database"].dispose()


def main(argv: list[str] | None = None) -> int:
    return inprocess.main("bench.connections_page", __doc__, FIFTH, 10, measure, argv)


if __name__ == "__main__":
    raise SystemExit(main())
