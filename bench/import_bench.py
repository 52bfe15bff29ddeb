"""`python -m bench.import_bench`: time `rhc import episodes` alone, and its peak memory.

Seeds a smaller instance than `make bench` (the import's cost is the file, not the history),
writes a 50,000-row file for known and new children, imports it, then imports it again (the
second run must change nothing). SQLite by default; `--url` for a PostgreSQL server, e.g.
under `python -m tests.pgserver`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
from pathlib import Path

from . import seed
from .run import timed_rhc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--url", default=os.environ.get("RHC_TEST_DATABASE_URL"))
    args = parser.parse_args()
    scale = seed.Scale(workers=4, managers=1, children=args.episodes // 5,
                       episodes=args.episodes, import_rows=args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        instance.mkdir(mode=0o700)
        url = args.url or f"sqlite:///{instance / 'rhc.sqlite3'}"
        seed.seed(instance, url, scale, log=lambda *_: None)
        path = Path(tmp) / "import.csv"
        seed.import_csv(scale, scale.children, path)
        out = {"rows": args.rows, "bytes": path.stat().st_size}
        for run in ("first", "again"):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            out[run] = timed_rhc(instance, url, "import", "episodes", str(path),
                                 "--org", seed.ORG_SLUG)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # CPU time too: on a shared machine the wall clock also measures the neighbours.
            out[run]["cpu_seconds"] = round(after.ru_utime + after.ru_stime
                                            - before.ru_utime - before.ru_stime, 2)
        out["load_average"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
