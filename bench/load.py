"""Drive a running instance over HTTP the way its users do, with concurrent clients.

Each client is one browser: its own cookie, its own connection (gunicorn's sync workers close
every connection after the response, so http.client reconnects: that is what browsers get from
this deployment too). A step runs all clients in a closed loop for a fixed time, each waiting
for its answer before asking again; latency is measured from sending the request to having
read the whole response. Every loop is bounded in time and in count, and talks to 127.0.0.1
only.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HOST = "127.0.0.1"
CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
REQUEST_TIMEOUT = 60.0  # a browser or proxy gives up by then: counted as a timeout


class StepError(Exception):
    pass


@dataclass
class Answer:
    status: int
    seconds: float
    body: bytes
    headers: dict[str, str]


class Client:
    """One user's browser against one server."""

    def __init__(self, port: int, email: str | None = None) -> None:
        self.port = port
        self.email = email
        self.cookie: str | None = None
        self.conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        # Set by the steps as they learn them:
        self.conversation: str | None = None
        self.csrf: str | None = None
        self.form: list[tuple[str, str]] = []
        self.base_version: int | None = None
        self.saves = 0

    def request(self, method: str, path: str, fields: list[tuple[str, str]] | None = None,
                headers: dict[str, str] | None = None, cookie: bool = True) -> Answer:
        hdrs = {"Host": f"{HOST}:{self.port}", "Accept": "text/html", **(headers or {})}
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if cookie and self.cookie:
            hdrs["Cookie"] = f"rhc_session={self.cookie}"
        for attempt in (1, 2):
            t0 = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed a connection it had offered to keep: retry once on a new one.
                self.conn.close()
                if attempt == 2:
                    raise
                continue
            except Exception:
                self.conn.close()  # a timed-out connection cannot be reused: start afresh
                raise
            seconds = time.perf_counter() - t0
            break
        if resp.will_close:
            self.conn.close()
        got = {k.lower(): v for k, v in resp.getheaders() if k.lower() != "set-cookie"}
        for value in resp.headers.get_all("Set-Cookie") or []:
            if value.startswith("rhc_session="):
                token = value.split(";", 1)[0].split("=", 1)[1]
                self.cookie = token or None
                if "expires=thu, 01 jan 1970" in value.lower():
                    self.cookie = None
        return Answer(resp.status, seconds, data, got)

    def close(self) -> None:
        self.conn.close()


# -- what the users do -----------------------------------------------------------------------
def csrf_of(html: bytes) -> str:
    m = CSRF_RE.search(html.decode("utf-8", "replace"))
    if not m:
        raise StepError("no CSRF token on the page")
    return m.group(1)


def sign_in(c: Client, password: str) -> Answer:
    """A new browser signs in: the form (untimed), then the timed post."""
    c.cookie = None
    page = c.request("GET", "/sign-in")
    if page.status != 200:
        raise StepError(f"sign-in form answered {page.status}")
    answer = c.request("POST", "/sign-in", [("email", c.email or ""), ("password", password),
                                            ("code", ""), ("csrf_token", csrf_of(page.body))])
    if answer.status != 302 or not c.cookie:
        raise StepError(f"sign-in answered {answer.status}")
    return answer


class CanvasForm(HTMLParser):
    """The fields a browser would post from the canvas form (FormData of #canvas-form)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == "canvas-form"
            return
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            value = "".join(self._text)
            self.fields.append((self._textarea, value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, sel in self._options if sel] or [v for v, _ in self._options[:1]]
            self.fields.extend((self._select, v) for v in chosen[:1])
            self._select = None


def open_canvas(c: Client) -> Answer:
    answer = c.request("GET", f"/conversations/{c.conversation}/canvas")
    if answer.status != 200:
        raise StepError(f"canvas answered {answer.status}")
    parser = CanvasForm()
    parser.feed(answer.body.decode("utf-8"))
    c.form = parser.fields
    c.csrf = dict(c.form).get("csrf_token") or csrf_of(answer.body)
    c.base_version = int(dict(c.form)["base_version"])
    return answer


def autosave(c: Client) -> tuple[Answer, str]:
    """What canvas.js posts a moment after the worker stops typing: the whole form."""
    c.saves += 1
    fields = []
    for name, value in c.form:
        if name == "base_version":
            value = str(c.base_version)
        elif name == "area-worker_analysis":
            value = re.sub(r" \[typed \d+\]$", "", value) + f" [typed {c.saves}]"
        fields.append((name, value))
    fields.append(("action", "autosave"))
    answer = c.request("POST", f"/conversations/{c.conversation}/autosave", fields,
                       {"X-Requested-With": "fetch", "Accept": "application/json"})
    if answer.status in (200, 409):
        data = json.loads(answer.body)
        if data.get("status") in ("saved", "conflict"):
            c.base_version = int(data["version"])
            return answer, "ok" if data["status"] == "saved" else "conflict"
    return answer, "error"


def pdf(c: Client, kind: str) -> tuple[Answer, str]:
    answer = c.request("POST", f"/conversations/{c.conversation}/documents/{kind}.pdf",
                       [("csrf_token", c.csrf or "")])
    good = answer.status == 200 and answer.body.startswith(b"%PDF")
    return answer, "ok" if good else "error"


def get_page(c: Client, path: str, cookie: bool = True) -> tuple[Answer, str]:
    answer = c.request("GET", path, cookie=cookie)
    return answer, "ok" if answer.status == 200 else "error"


# -- running a step --------------------------------------------------------------------------
@dataclass
class StepResult:
    step: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    client_cpu: float = 0.0
    server_cpu: dict[str, float] | None = None
    errors: list[str] = field(default_factory=list)
    backlog_seconds: float = 0.0  # how long the server stayed busy after the step
    load_average: float = 0.0  # the machine's 1-minute load average as the step began

    def pct(self, p: float) -> float | None:
        if not self.latencies:
            return None
        xs = sorted(self.latencies)
        k = max(0, min(len(xs) - 1, int(round(p / 100 * len(xs) + 0.5)) - 1))
        return xs[k] * 1000

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(v, 2)  # noqa: E731
        return {"step": self.step, "clients": self.clients, "requests": self.done,
                "seconds": round(self.seconds, 2), "p50_ms": r(self.pct(50)),
                "p95_ms": r(self.pct(95)), "p99_ms": r(self.pct(99)),
                "max_ms": r(max(self.latencies) * 1000) if self.latencies else None,
                "requests_per_s": round(self.rate, 2), "outcomes": dict(self.outcomes),
                "statuses": {str(k): v for k, v in self.statuses.items()},
                "client_cpu_cores": round(self.client_cpu, 2),
                "server_cpu_ms_per_request": {k: r(v) for k, v in (self.server_cpu or {}).items()},
                "backlog_s": round(self.backlog_seconds, 1),
                "load_average": round(self.load_average, 2), "error_samples": self.errors[:5]}


Action = Callable[[Client], tuple[Answer, str]]


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) of each process still running."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return out


def cpu_seconds(pids: list[int]) -> float:
    return sum(cpu_by_pid(pids).values())


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings by the processes present in both (a process that
    ended, such as a gunicorn worker killed on timeout, takes its share with it)."""
    return sum(after[p] - before[p] for p in before.keys() & after.keys())


def settle(processes: Callable[[], dict[str, list[int]]], limit: float = 300.0) -> float:
    """Wait until the server has finished what abandoned (timed-out) requests left queued,
    so one step's backlog is not charged to the next: idle = under 5% of a core for a
    second. Returns the seconds waited (at most `limit`)."""
    t0 = time.perf_counter()
    quiet = 0
    last = cpu_seconds([p for pids in processes().values() for p in pids])
    while time.perf_counter() - t0 < limit:
        time.sleep(0.5)
        now = cpu_seconds([p for pids in processes().values() for p in pids])
        quiet = quiet + 1 if now - last < 0.025 else 0
        last = now
        if quiet >= 2:
            break
    return time.perf_counter() - t0


def run_step(name: str, clients: list[Client], action: Action, duration: float,
             max_requests: int, processes: Callable[[], dict[str, list[int]]],
             setup: Callable[[Client], Any] | None = None, warm_clients: int = 4
             ) -> StepResult:
    """Every client runs `action` in a loop for `duration` seconds (at most `max_requests`
    in all). Untimed first: `setup` for every client, then one call of `action` by each of
    the first `warm_clients` (enough to warm both server workers without queueing fifty slow
    pages). `processes` names the server's processes (app, database) whose CPU time is
    charged to the step."""
    result = StepResult(name, len(clients), 0.0)
    lock = threading.Lock()
    issued = [0]
    pids = processes()
    mark: dict[str, Any] = {}

    def begin() -> None:  # runs once, when every client has warmed up
        mark["cpu"] = {k: cpu_by_pid(v) for k, v in pids.items()}
        mark["own"] = time.process_time()
        mark["t0"] = time.perf_counter()
        result.load_average = os.getloadavg()[0]
        mark["deadline"] = mark["t0"] + duration

    start = threading.Barrier(len(clients), action=begin)

    def loop(c: Client) -> None:
        try:
            if setup is not None:
                setup(c)
            if clients.index(c) < warm_clients:
                action(c)
        except Exception as exc:  # noqa: BLE001 - recorded, never hidden
            with lock:
                result.errors.append(f"set-up: {type(exc).__name__}: {exc}")
        start.wait(timeout=REQUEST_TIMEOUT * 2)
        while time.perf_counter() < mark["deadline"]:
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
            try:
                answer, outcome = action(c)
            except Exception as exc:  # noqa: BLE001
                with lock:
                    result.outcomes["timeout" if isinstance(exc, TimeoutError) else "exception"] += 1
                    if len(result.errors) < 20:
                        result.errors.append(f"{type(exc).__name__}: {exc}")
                if isinstance(exc, ConnectionRefusedError):
                    return  # nothing listens any more: the server has stopped
                time.sleep(0.05)
                continue
            with lock:
                # Percentiles and throughput count valid answers (a 409 conflict on autosave
                # is one); errors are counted apart.
                if outcome != "error":
                    result.latencies.append(answer.seconds)
                result.outcomes[outcome] += 1
                result.statuses[answer.status] += 1
                if outcome == "error" and len(result.errors) < 20:
                    result.errors.append(f"HTTP {answer.status}: {answer.body[:200]!r}")

    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + REQUEST_TIMEOUT * 3)
    if "t0" not in mark:
        raise StepError(f"{name}: the clients never started")
    result.seconds = time.perf_counter() - mark["t0"]
    result.client_cpu = (time.process_time() - mark["own"]) / result.seconds
    if result.done:
        now = processes()  # workers started during the step are counted from the next one
        result.server_cpu = {k: cpu_used(mark["cpu"][k], cpu_by_pid(now.get(k, []))) * 1000
                             / result.done for k in pids}
    return result
