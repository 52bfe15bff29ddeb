"""`make bench`: seed, serve with gunicorn, drive over HTTP, import, rotate keys; on SQLite and
on PostgreSQL. Writes bench/results/results-<date>.{md,json} and latest.md.

    python -m bench.run [--quick] [--engines sqlite,postgresql] [--levels 1,10,50]

--quick seeds a tiny instance and runs each step for about a second: it checks the script
works, and writes only git-ignored files (bench/results/quick.*.tmp).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import index_cost, load, seed, worst_case
from .load import Client, StepResult

RESULTS = Path(__file__).resolve().parent / "results"
STEPS = ("sign_in", "ceiling", "ceiling_session", "my_conversations", "canvas", "autosave",
         "police_pdf", "child_pdf", "my_actions", "team", "quarterly", "connections",
         "connection", "hotspots", "still_missing", "overdue_actions")
LABELS = {"sign_in": "sign in (POST)", "ceiling": "ceiling: /livez",
          "ceiling_session": "/livez with session cookie", "my_conversations": "my conversations",
          "canvas": "conversation (canvas page)", "autosave": "autosave",
          "police_pdf": "police PDF", "child_pdf": "child PDF", "team": "manager: /team",
          "quarterly": "manager: quarterly report page", "my_actions": "my actions (/actions)",
          "connections": "manager: connections, 90 days", "connection": "manager: one connection",
          "hotspots": "manager: hotspots, 90 days", "still_missing": "manager: still missing",
          "overdue_actions": "manager: the team's overdue actions"}


@dataclass(frozen=True)
class Config:
    scale: seed.Scale
    levels: tuple[int, ...]
    duration: float  # seconds per step and concurrency level
    ceiling_duration: float
    max_requests: int = 20_000


FULL = Config(seed.FULL, (1, 10, 50), duration=10.0, ceiling_duration=5.0)
QUICK = Config(seed.QUICK, (1, 4), duration=1.0, ceiling_duration=0.5, max_requests=2_000)


def say(message: str) -> None:
    print(message, flush=True)


# -- the machine --------------------------------------------------------------------------------
def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=seed.ROOT, capture_output=True, text=True,
                              timeout=10, check=False).stdout
    except OSError:
        return ""


def code_version() -> dict[str, Any]:
    """The commit, and what differed from it in rhc_app/ (others edit it while the bench
    runs; gunicorn loads the code when each engine's server starts)."""
    return {"commit": _git("rev-parse", "--short", "HEAD").strip(),
            "uncommitted_changes": [line[3:] for line in _git(
                "status", "--porcelain", "--untracked-files=all", "rhc_app").splitlines()
                if len(line) > 3]}


def machine() -> dict[str, Any]:
    mem = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", mem).group(1))  # type: ignore[union-attr]
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return {"cores": os.cpu_count(), "memory_gb": round(total_kb / 1024 / 1024, 1),
            "cpu": cpu.group(1).strip() if cpu else platform.processor(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "platform": platform.platform(),
            **code_version(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_pids(port: int) -> list[int]:
    """The postmaster listening on `port` and its children (backends, writers, autovacuum)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"postgres") and f"-p {port} ".encode() in b" ".join(args) + b" ":
            pid = int(entry.name)
            return [pid, *children_of(pid)]
    return []


def status_kb(pid: int, key: str) -> int | None:
    try:
        m = re.search(rf"{key}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None
    return int(m.group(1)) if m else None


# -- gunicorn ---------------------------------------------------------------------------------
class Server:
    """gunicorn as deployed: two sync workers on loopback."""

    def __init__(self, instance: Path, url: str, workers: int = 2) -> None:
        self.instance, self.url, self.workers = instance, url, workers
        self.port = free_port()
        self.log_path = instance / "gunicorn.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.first_workers: list[int] = []
        self.peaks: dict[int, int] = {}  # worker pid -> highest VmHWM seen (kB)

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [str(seed.bin_dir() / "gunicorn"), "--workers", str(self.workers), "--bind",
             f"127.0.0.1:{self.port}", "rhc_app.wsgi:app"],
            cwd=seed.ROOT, env=seed.app_env(self.instance, self.url), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz",  # noqa: S310
                                            timeout=5) as r:
                    if r.status == 200 and len(self.worker_pids()) == self.workers:
                        self.first_workers = self.worker_pids()
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 90 s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        return children_of(self.proc.pid) if self.proc else []

    def note_memory(self) -> None:
        """Called after every step: a worker that is later killed keeps its peak here."""
        for pid in self.worker_pids():
            self.peaks[pid] = max(self.peaks.get(pid, 0), status_kb(pid, "VmHWM") or 0)

    def memory(self) -> dict[str, Any]:
        self.note_memory()
        workers = self.worker_pids()
        return {"workers": [{"pid": p, "peak_rss_mb": round(kb / 1024, 1),
                             "running_at_end": p in workers} for p, kb in self.peaks.items()],
                "workers_restarted": bool(set(self.first_workers) - set(workers))}

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def log_problems(self) -> dict[str, Any]:
        """Counts, and the distinct lines that say what went wrong (no request data: the app
        logs exception types and endpoints only)."""
        text = self.log_tail(10**8)
        keys = ("ERROR", "WORKER TIMEOUT", "Worker failed to boot", "Shutting down", "Reason:",
                "Error:", "exited with code", "was sent SIGKILL", "Exception on")
        seen: dict[str, int] = {}
        for line in text.splitlines():
            if any(k in line for k in keys) and "[INFO]" not in line:
                key = re.sub(r"^\[[^]]*\] \[\d+\] ", "", line.strip())[:200]
                seen[key] = seen.get(key, 0) + 1
        return {"tracebacks": text.count("Traceback"), "unhandled": text.count("unhandled "),
                "worker_timeouts": text.count("WORKER TIMEOUT"),
                "server_halted": "Worker failed to boot" in text or "Reason:" in text,
                "lines": [f"{n}× {k}" for k, n in sorted(seen.items(), key=lambda kv: -kv[1])][:25]}

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own gunicorn's process group only
            self.proc.wait(timeout=10)


# -- one command, timed, with its peak memory ---------------------------------------------------
def timed_rhc(instance: Path, url: str, *args: str, timeout: float = 1200) -> dict[str, Any]:
    """Run `rhc ARGS`, timed. Peak memory is the process's own VmHWM, read as it runs (the
    rusage of a child started from this large process would report this process's size)."""
    out = instance / f"rhc-{args[0]}-{args[1]}.log"
    peak_kb = 0
    with out.open("wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(seed.bin_dir() / "rhc"), *args], cwd=seed.ROOT,
                                env=seed.app_env(instance, url), stdout=fh,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while proc.poll() is None:
            peak_kb = max(peak_kb, status_kb(proc.pid, "VmHWM") or 0)
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - t0
    output = out.read_text(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"rhc {' '.join(args)} failed ({proc.returncode}):\n{output[-3000:]}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024, 1),
            "output": output.strip().splitlines()[-1][:300] if output.strip() else ""}


# -- the load run -----------------------------------------------------------------------------
def _sign_in_all(clients: list[Client]) -> None:
    """Set-up sign-ins (untimed); a client that cannot sign in shows up as errors later."""
    def one(c: Client) -> None:
        for attempt in range(5):
            try:
                load.sign_in(c, seed.PASSWORD)
                return
            except (load.StepError, OSError) as exc:
                if attempt == 4:
                    say(f"        ! set-up sign-in failed for {c.email}: {exc}")
                time.sleep(0.5 * (attempt + 1))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, clients))


def drive(port: int, seeded: seed.Seeded, cfg: Config,
          processes: Callable[[], dict[str, list[int]]], server: Server) -> list[StepResult]:
    results: list[StepResult] = []

    def step(name: str, clients: list[Client], action: load.Action,
             setup: Callable[[Client], Any] | None = None) -> None:
        if not server.alive():
            say(f"    {len(clients):>3} clients  {name:<17} skipped: gunicorn is no longer running")
            results.append(StepResult(name, len(clients), 0.0, errors=["gunicorn had stopped"]))
            return
        duration = cfg.ceiling_duration if name.startswith("ceiling") else cfg.duration
        limit = cfg.max_requests * (5 if name.startswith("ceiling") else 1)
        r = load.run_step(name, clients, action, duration, limit, processes, setup)
        results.append(r)
        r.backlog_seconds = load.settle(processes)
        server.note_memory()
        extra = "".join(f" {k}={v}" for k, v in r.outcomes.items() if k != "ok")
        say(f"    {len(clients):>3} clients  {name:<17} n={r.done:<6} p50={fmt(r.pct(50))} "
            f"p95={fmt(r.pct(95))} p99={fmt(r.pct(99))} ms  {r.rate:8.1f}/s{extra}")
        for e in r.errors[:3]:
            say(f"        ! {e[:300]}")

    for n in cfg.levels:
        say(f"  {n} client(s), load average {os.getloadavg()[0]:.2f}")
        workers = [Client(port, seeded.workers[i % len(seeded.workers)][1]) for i in range(n)]
        for i, c in enumerate(workers):
            wid = seeded.workers[i % len(seeded.workers)][0]
            mine = seeded.work[wid]
            c.conversation = mine[(i // len(seeded.workers)) % len(mine)]
        managers = [Client(port, seeded.managers[i % len(seeded.managers)][1]) for i in range(n)]

        step("sign_in", workers, lambda c: (load.sign_in(c, seed.PASSWORD), "ok"))
        _sign_in_all([c for c in workers if not c.cookie])
        step("ceiling", workers, lambda c: load.get_page(c, "/livez", cookie=False))
        step("ceiling_session", workers, lambda c: load.get_page(c, "/livez"))
        step("my_conversations", workers, lambda c: load.get_page(c, "/"))
        step("canvas", workers, lambda c: load.get_page(c, f"/conversations/{c.conversation}/canvas"))
        # The form is read once per client (untimed): parsing it on every request would
        # take the server's CPU.
        step("autosave", workers, load.autosave, setup=load.open_canvas)
        step("police_pdf", workers, lambda c: load.pdf(c, "police"))
        step("child_pdf", workers, lambda c: load.pdf(c, "child"))
        step("my_actions", workers, lambda c: load.get_page(c, "/actions"))
        _sign_in_all(managers)
        step("team", managers, lambda c: load.get_page(c, "/team"))
        step("quarterly", managers, lambda c: load.get_page(c, "/reports/quarterly"))
        # The oversight and people-and-places pages (managers may see them all; the
        # exploitation lead sees connections and hotspots the same way).
        step("connections", managers, lambda c: load.get_page(c, "/connections"))
        if seeded.connection:
            step("connection", managers,
                 lambda c: load.get_page(c, f"/connections/{seeded.connection}"))
        step("hotspots", managers, lambda c: load.get_page(c, "/hotspots"))
        step("still_missing", managers, lambda c: load.get_page(c, "/still-missing"))
        step("overdue_actions", managers, lambda c: load.get_page(c, "/actions/overdue"))
        for c in workers + managers:
            c.close()
    return results


def fmt(v: float | None) -> str:
    return "-" if v is None else (f"{v:.0f}" if v >= 100 else f"{v:.1f}")


def run_engine(engine: str, url: str, workdir: Path, cfg: Config) -> dict[str, Any]:
    instance = workdir / "instance"
    instance.mkdir(mode=0o700)
    out: dict[str, Any] = {"engine": engine, "load_average_at_start": [
        round(x, 2) for x in os.getloadavg()], "code": code_version()}
    say(f"[{engine}] seeding {cfg.scale.episodes:,} episodes ...")
    seeded = seed.seed(instance, url, cfg.scale, log=say)
    out["seed"] = seed.summary_json(seeded)
    say(f"[{engine}] seeded in {seeded.seconds:.1f} s: {seeded.counts}")
    server = Server(instance, url)
    out["code"] = code_version()  # what gunicorn loads now
    server.start()
    pg_port = int(url.rsplit(":", 1)[1].split("/")[0]) if engine == "postgresql" else None

    def processes() -> dict[str, list[int]]:
        groups = {"app": server.worker_pids()}
        if pg_port:
            groups["db"] = postgres_pids(pg_port)
        return groups

    try:
        say(f"[{engine}] gunicorn on 127.0.0.1:{server.port}, workers {server.worker_pids()}")
        steps = drive(server.port, seeded, cfg, processes, server)
        out["server_stopped_during_run"] = not server.alive()
        out["memory"] = server.memory()
    finally:
        server.stop()
    out["gunicorn_log"] = server.log_problems()
    out["steps"] = [s.as_json() for s in steps]
    say(f"[{engine}] the index's cost in a save (in-process) ...")
    saved = sorted({cid for mine in seeded.work.values() for cid in mine})[:60]
    out["index_in_save"] = index_cost.measure(instance, url, saved)
    say(f"    {out['index_in_save']}")
    csv_path = workdir / "import.csv"
    seed.import_csv(cfg.scale, cfg.scale.children, csv_path)
    say(f"[{engine}] rhc import episodes ({cfg.scale.import_rows:,} rows) ...")
    rows_before = index_cost.index_rows(url)
    out["import"] = {"rows": cfg.scale.import_rows, **timed_rhc(
        instance, url, "import", "episodes", str(csv_path), "--org", seed.ORG_SLUG),
        "index_rows_before": rows_before, "index_rows_after": index_cost.index_rows(url)}
    say(f"    {out['import']}")
    say(f"[{engine}] rhc links rebuild (the whole instance) ...")
    out["links_rebuild"] = {**timed_rhc(instance, url, "links", "rebuild"),
                            "index_rows_after": index_cost.index_rows(url)}
    say(f"    {out['links_rebuild']}")
    say(f"[{engine}] rhc keys rotate ...")
    out["rotate"] = timed_rhc(instance, url, "keys", "rotate")
    say(f"    {out['rotate']}")
    out["database_bytes_at_end"] = seed.database_bytes(url)
    return out


# -- reporting ------------------------------------------------------------------------------------
def _find(steps: list[dict[str, Any]], name: str, clients: int) -> dict[str, Any] | None:
    return next((s for s in steps if s["step"] == name and s["clients"] == clients), None)


# Issue 14's table: × ceiling and app CPU at 1 client, p95 at 10 clients.
PAGE_TARGETS = (("conversation page", "canvas", 12, 8, 50),
                ("my conversations", "my_conversations", 40, 25, 100),
                ("team dashboard", "team", 100, 60, 250),
                ("quarterly report page", "quarterly", 60, 40, 200),
                ("police PDF", "police_pdf", 30, 20, 150),
                ("autosave", "autosave", 10, 5, 30))


def ratio(steps: list[dict[str, Any]], s: dict[str, Any]) -> float | None:
    """How many bare requests (the ceiling, same clients, same run) one request costs."""
    ceiling = _find(steps, "ceiling", s["clients"])
    return (ceiling["requests_per_s"] / s["requests_per_s"]
            if ceiling and s["requests_per_s"] else None)


def _target(label: str, value: float | None, limit: float, unit: str = "") -> dict[str, Any]:
    shown = None if value is None else f"{value:.1f}{unit}"
    return {"target": f"{label} ≤ {limit:g}{unit}", "value": shown,
            "met": value is not None and value <= limit}


def targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The issues' targets (14: pages, import; 16: connections, the index in a save), each
    read at the concurrency it names."""
    out = []
    steps = run["steps"]
    for label, name, times, cpu_ms, p95_ms in PAGE_TARGETS:
        one, ten = _find(steps, name, 1), _find(steps, name, 10)
        out.append(_target(f"{label}: × ceiling, 1 client", one and ratio(steps, one), times,
                           "×"))
        out.append(_target(f"{label}: app CPU per request, 1 client",
                           one and one["server_cpu_ms_per_request"].get("app"), cpu_ms, " ms"))
        out.append(_target(f"{label}: p95 at 10 clients", ten and ten["p95_ms"], p95_ms, " ms"))
    imp = run.get("import", {})
    out.append(_target(f"import of {imp.get('rows', 0):,} rows", imp.get("seconds"), 15, " s"))
    out.append(_target("import peak memory", imp.get("peak_rss_mb"), 400, " MB"))
    s = _find(steps, "connections", 1)
    out.append(_target("connections page p95, 90 days, 1 manager", s and s["p95_ms"], 300,
                       " ms"))
    share = run.get("index_in_save", {}).get("share_of_save")
    out.append(_target("the index's share of an autosave (reindex CPU / save CPU)",
                       None if share is None else share * 100, 10, " %"))
    return out


# The issue's ms targets were read where a bare request cost about 0.58 ms of app CPU (230 ms
# of CPU was "about 400 bare requests' worth"); the × ceiling targets carry between machines.
ISSUE_BARE_MS = 0.58


def machine_scale(run: dict[str, Any]) -> str:
    bare = _find(run["steps"], "ceiling", 1)
    ms = bare and bare["server_cpu_ms_per_request"].get("app")
    if not ms:
        return ""
    return (f"The ms targets were set where a bare request cost about {ISSUE_BARE_MS} ms of app "
            f"CPU; in this run it cost {ms} ms, {ms / ISSUE_BARE_MS:.1f} times as much, so on "
            f"this machine a page at its × ceiling target costs about that many times its ms "
            f"target, and the p95 at 10 clients (10 clients queued on 2 workers) scales with it.")


def index_lines(run: dict[str, Any]) -> list[str]:
    """What the people and places index costs, and that the import writes none of it."""
    imp, cost, rebuild = run["import"], run.get("index_in_save", {}), run.get("links_rebuild")
    autosave = _find(run["steps"], "autosave", 1)
    app_ms = (autosave or {}).get("server_cpu_ms_per_request", {}).get("app")
    lines = [f"- People and places index: {run['seed']['counts'].get('index_rows', 0):,} rows "
             f"seeded (as each save writes them). `rhc import episodes` writes no canvases, so "
             f"no index rows: {imp.get('index_rows_before', 0):,} before the import, "
             f"{imp.get('index_rows_after', 0):,} after."]
    if cost.get("saves"):
        of_request = (f"; {cost['reindex_cpu_ms'] / app_ms * 100:.1f} % of the autosave "
                      f"request's app CPU ({app_ms} ms at 1 client)" if app_ms else "")
        lines.append(
            f"- The index in a save (in-process, {cost['saves']} saves of the canvases the "
            f"clients autosave, {cost['people_per_canvas']} people and "
            f"{cost['places_per_canvas']} places each, {cost['rows_per_save']} index rows): "
            f"`reindex` {cost['reindex_cpu_ms']} ms CPU of a {cost['save_cpu_ms']} ms save, "
            f"{cost['share_of_save'] * 100:.1f} %{of_request}. Those saves change a note, "
            f"as the autosave does: the index is only re-dated, when a mention's date moves.")
        changed = cost.get("person_changed") or {}
        if changed.get("share_of_save") is not None:
            lines.append(
                f"- A save changing a person's description (the same conversations): "
                f"`reindex` {changed['reindex_cpu_ms']} ms CPU of a {changed['save_cpu_ms']} ms "
                f"save, {changed['share_of_save'] * 100:.1f} %.")
    if rebuild:
        lines.append(f"- `rhc links rebuild` over the whole instance: {rebuild['seconds']} s, "
                     f"peak memory {rebuild['peak_rss_mb']} MB ({rebuild['output'][:120]}).")
    return lines


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [f"# rhc_app benchmark, {m['started_at'][:10]}{' (quick)' if report['quick'] else ''}",
             "",
             f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB memory, "
             f"load average at start {m['load_average_at_start']} (other work shares the "
             f"machine: see the load average per engine). Python {m['python']}.",
             "",
             "Server: gunicorn, 2 sync workers, on the same machine as the load driver (Python "
             "threads, one connection per client). Latency is the time from sending a request "
             "to having read the whole answer. `× ceiling` is how many bare requests "
             "(/livez, same clients, same run) one request of the step costs in throughput. "
             "CPU columns: milliseconds of CPU per request in the gunicorn workers (app) and in "
             "PostgreSQL's processes (db). `load`: the machine's 1-minute load average as the "
             "step began (above 2, other work was competing for the two cores).", ""]
    for run in report["runs"]:
        seedinfo = run["seed"]
        c = seedinfo["counts"]
        code = run["code"]
        lines += [f"## {run['engine']}", "",
                  f"Code served: commit {code['commit']}"
                  + (f" with uncommitted changes in {', '.join(code['uncommitted_changes'])}"
                     if code["uncommitted_changes"] else "") + ". "
                  f"Load average at start {run['load_average_at_start']}. Seeded in "
                  f"{seedinfo['seconds']} s: {c['users']} users, {c['children']:,} children, "
                  f"{c['episodes']:,} episodes, {c['conversations']:,} conversations "
                  f"({c['conversations_with_notes']:,} with notes, median sealed record "
                  f"{seedinfo['sealed_record_bytes']['median'] / 1024:.1f} KB), "
                  f"{c['contact_attempts']:,} contact attempts, {c['unallocated']:,} not "
                  f"allocated, {c.get('follow_up_actions', 0):,} follow-up actions "
                  f"({c.get('open_overdue_actions', 0):,} open and overdue), "
                  f"{c.get('strategy_decisions', 0)} strategy decisions, "
                  f"{c.get('still_missing', 0)} episodes still missing; database "
                  f"{mb(seedinfo['database_bytes'])}.", "",
                  "| clients | step | requests | p50 ms | p95 ms | p99 ms | req/s | × ceiling "
                  "| app CPU ms/req | db CPU ms/req | load | notes |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for s in run["steps"]:
            times = ratio(run["steps"], s)
            cpu = s["server_cpu_ms_per_request"]
            notes = ", ".join(f"{k} {v}" for k, v in s["outcomes"].items() if k != "ok")
            if s.get("backlog_s", 0) > 5:  # requests given up on, still being served after
                notes += f"{', ' if notes else ''}server busy {s['backlog_s']:.0f} s after"
            if s["step"] == "ceiling":
                notes = (notes + ", " if notes else "") + \
                    f"driver used {s['client_cpu_cores']} cores"
            lines.append(
                f"| {s['clients']} | {LABELS[s['step']]} | {s['requests']} | {fmt(s['p50_ms'])} "
                f"| {fmt(s['p95_ms'])} | {fmt(s['p99_ms'])} | {s['requests_per_s']:.1f} | "
                f"{'-' if times is None else f'{times:.1f}'} | {fmt(cpu.get('app'))} | "
                f"{fmt(cpu.get('db'))} | {s.get('load_average', '-')} | {notes} |")
        glog = run["gunicorn_log"]
        mem = run.get("memory", {})
        peaks = ", ".join(f"{w['peak_rss_mb']} MB" + ("" if w["running_at_end"] else " (ended)")
                          for w in mem.get("workers", []))
        imp, rot = run["import"], run["rotate"]
        lines += ["",
                  f"- Peak memory per gunicorn worker (VmHWM): {peaks}"
                  f"{' (a worker was restarted)' if mem.get('workers_restarted') else ''}.",
                  f"- `rhc import episodes`, {imp['rows']:,} rows: {imp['seconds']} s, peak "
                  f"memory {imp['peak_rss_mb']} MB ({imp['output']}).",
                  f"- `rhc keys rotate` over the whole instance: {rot['seconds']} s, peak memory "
                  f"{rot['peak_rss_mb']} MB ({rot['output'][:120]}).",
                  f"- gunicorn log: {glog['tracebacks']} tracebacks, {glog['worker_timeouts']} "
                  f"worker timeouts{', **the server halted**' if glog['server_halted'] else ''}"
                  + "".join(f"\n  - `{line}`" for line in glog["lines"][:12]),
                  f"- Database at the end: {mb(run['database_bytes_at_end'])}.",
                  *index_lines(run), "",
                  "| target | value | met |", "|---|---:|---|"]
        for t in targets(run):
            verdict = "not measured" if t["value"] is None else "yes" if t["met"] else "**no**"
            lines.append(f"| {t['target']} | {'-' if t['value'] is None else t['value']} | {verdict} |")
        lines += ["", machine_scale(run)]
        lines.append("")
    if report.get("worst_case"):
        lines += [worst_case.markdown(report["worst_case"]), ""]
    if report.get("notes"):
        lines += ["## Notes", "", *report["notes"], ""]
    return "\n".join(lines)


def mb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024 / 1024:.0f} MB"


def write(report: dict[str, Any], quick: bool, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    md = markdown(report)
    if quick:
        names = {"quick.json.tmp": json.dumps(report, indent=2), "quick.md.tmp": md}
    else:
        day = report["machine"]["started_at"][:10]
        names = {f"results-{day}.json": json.dumps(report, indent=2),
                 f"results-{day}.md": md, "latest.md": md}
    for name, body in names.items():
        tmp = out_dir / (name + ".writing.tmp")
        tmp.write_text(body + "\n", encoding="utf-8")
        tmp.replace(out_dir / name)
    return out_dir / next(iter(names))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny instance, short runs")
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--levels", help="client counts, e.g. 1,10,50")
    ap.add_argument("--duration", type=float, help="seconds per step and level")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--keep", action="store_true",
                    help="keep the SQLite instance folder (printed) for profiling")
    args = ap.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    if args.levels:
        cfg = Config(cfg.scale, tuple(int(x) for x in args.levels.split(",")), cfg.duration,
                     cfg.ceiling_duration, cfg.max_requests)
    if args.duration:
        cfg = Config(cfg.scale, cfg.levels, args.duration, min(args.duration, cfg.ceiling_duration),
                     cfg.max_requests)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"sqlite", "postgresql"}
    if unknown:
        ap.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    report: dict[str, Any] = {"machine": machine(), "quick": args.quick, "runs": [],
                              "config": {"levels": cfg.levels, "duration_s": cfg.duration,
                                         "ceiling_duration_s": cfg.ceiling_duration,
                                         "scale": cfg.scale.__dict__}}
    say(f"bench: {report['machine']['cores']} cores, {report['machine']['memory_gb']} GB, "
        f"load average {report['machine']['load_average_at_start']}")
    t0 = time.perf_counter()
    for engine in engines:
        base = tempfile.mkdtemp(prefix=f"rhc-bench-{engine}-")
        workdir = Path(base)
        try:
            if engine == "sqlite":
                url = f"sqlite:///{workdir / 'instance' / 'rhc.sqlite3'}"
                report["runs"].append(run_engine(engine, url, workdir, cfg))
            else:
                sys.path.insert(0, str(seed.ROOT))
                from tests.pgserver import throwaway_server

                with throwaway_server() as url:
                    report["runs"].append(run_engine(engine, url, workdir, cfg))
        finally:
            if args.keep and engine == "sqlite":
                say(f"kept {workdir}")
            else:
                shutil.rmtree(base, ignore_errors=True)
    say("worst-case input: PDFs and checks ...")
    report["worst_case"] = worst_case.run()
    report["seconds"] = round(time.perf_counter() - t0, 1)
    path = write(report, args.quick, args.out)
    say("")
    say(markdown(report))
    say(f"written: {path} (and the .md beside it){'' if args.quick else ', latest.md'}")
    return 0


if __name__ == "__main__":
    threading.stack_size(512 * 1024)
    sys.exit(main())
