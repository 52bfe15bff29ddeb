"""The team page (`/team`), in-process: CPU per request, as a manager sees it.

    python -m bench.team_page                   # seeds 5,000 children, 25,000 episodes (SQLite)
    python -m bench.team_page --instance DIR    # reuses an instance an earlier run seeded
    python -m bench.team_page --profile         # and prints a pyinstrument profile

No server: the app's test client, signed in as a manager, GETs `/team` and one "See all" page
many times; the median and p90 of time.process_time per request are printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import inprocess, seed
from bench.canvas_page import _cpu, _line

SCALE = seed.Scale(workers=10, managers=1, children=5_000, episodes=25_000, import_rows=0)
MANAGER = "manager00@benchshire.example.org"


def measure(instance: Path, repeat: int, profile: bool) -> None:
    app, client = inprocess.signed_in(instance, MANAGER)
    pages = {"team page": "/team"}
    if "reports.section" in app.view_functions:  # the paged "See all" lists
        pages["see all: overdue, p1"] = "/team/overdue"

    for what, url in pages.items():
        def get(url: str = url) -> Any:
            answer = client.get(url)
            assert answer.status_code == 200, answer.status_code
            return answer

        _cpu(get, 2)  # warm: templates compiled, caches filled
        times, answer = _cpu(get, repeat)
        print(_line(what, times) + f", {len(answer.data):,} bytes")
        if profile:
            inprocess.profile(what, get)
    app.extensions["rhc_database"].dispose()


def main(argv: list[str] | None = None) -> int:
    return inprocess.main("bench.team_page", __doc__, SCALE, 10, measure, argv)


if __name__ == "__main__":
    raise SystemExit(main())
