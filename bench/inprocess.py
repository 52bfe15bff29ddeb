"""What the in-process page measurements share (bench.canvas_page, bench.team_page,
bench.connections_page): a small seeded instance, kept for another run, and a profile."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import seed
from bench.load import csrf_of
from rhc_app import create_app


def signed_in(instance: Path, email: str) -> tuple[Any, Any]:
    """The app on ``instance`` and a test client signed in as ``email``."""
    import logging

    app = create_app({"INSTANCE_PATH": str(instance),
                      "DATABASE_URL": f"sqlite:///{instance / 'rhc.sqlite3'}",
                      "SESSION_COOKIE_SECURE": False})
    logging.getLogger("rhc_app.requests").disabled = True  # a line a request, on stderr
    client = app.test_client()
    client.post("/sign-in", data={"email": email, "password": seed.PASSWORD, "code": "",
                                  "csrf_token": csrf_of(client.get("/sign-in").data)})
    return app, client


def profile(what: str, call: Callable[[], Any], n: int = 50) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(n):
            call()
    print(f"\n--- {what}, {n} requests ---")
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def main(prog: str, doc: str | None, scale: seed.Scale, repeat: int,
         measure: Callable[[Path, int, bool], None], argv: list[str] | None = None) -> int:
    """Seed (or reuse, with --instance) a SQLite instance of ``scale``, then ``measure`` it."""
    ap = argparse.ArgumentParser(prog=f"python -m {prog}", description=(doc or "").split("\n")[0])
    ap.add_argument("--instance", type=Path, help="an instance an earlier run seeded")
    ap.add_argument("--repeat", type=int, default=repeat)
    ap.add_argument("--profile", action="store_true", help="print a pyinstrument profile")
    args = ap.parse_args(argv)
    instance = args.instance
    if instance is None or not (instance / "rhc.sqlite3").exists():
        instance = instance or Path(tempfile.mkdtemp(prefix=f"rhc-{prog.replace('.', '-')}-"))
        instance.mkdir(parents=True, exist_ok=True)
        seeded = seed.seed(instance, f"sqlite:///{instance / 'rhc.sqlite3'}", scale,
                           log=lambda *_: None)
        print(f"seeded {instance} in {seeded.seconds:.0f} s: {seeded.statuses}")
    measure(instance, args.repeat, args.profile)
    return 0
