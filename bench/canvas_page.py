"""The conversation page, its autosave and the police PDF request, in-process: CPU per request.

    python -m bench.canvas_page                   # seeds a small instance (SQLite), about a minute
    python -m bench.canvas_page --instance DIR    # reuses an instance an earlier run seeded
    python -m bench.canvas_page --profile         # and prints a pyinstrument profile of each

No server: the app's test client, signed in as the worker who holds the conversation, GETs the
canvas page, posts the autosave (the whole form, as canvas.js sends it) and downloads the
police PDF (the whole request: loading, decrypting, audit, layout) many times; the
median and p90 of time.process_time per request are printed. The conversation is given a full
canvas first: every area, three people, three places, three quick notes, risk factors and
actions, with realistic text (bench/seed.py's writer).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from bench import inprocess, seed
from bench.load import CanvasForm, csrf_of
from rhc_app.crypto import KeyRing
from rhc_app.domain.risk_factors import RISK_FACTORS
from rhc_app.domain.vocabulary import ACTIONS
from rhc_app.store.db import make_engine, make_sessionmaker
from rhc_app.store.models import Conversation, User

SMALL = seed.Scale(workers=2, managers=1, children=200, episodes=600, import_rows=0, batch=300)
WORKER = "worker00@benchshire.example.org"


def full_canvas(rng: random.Random) -> dict[str, Any]:
    writer = seed.Writer(rng)
    while True:  # the writer draws how many people, places and notes: keep a full one
        c = writer.canvas("Sam", None, "yes", sorted(RISK_FACTORS)[:6], sorted(ACTIONS)[:3],
                          partial=False)
        if min(len(c["people"]), len(c["places"]), len(c["notes"])) >= 3 \
                and all(c["areas"].values()):
            return c


def prepare(instance: Path) -> str:
    """The worker's first conversation in progress, given a full canvas: its id."""
    engine = make_engine(f"sqlite:///{instance / 'rhc.sqlite3'}")
    with make_sessionmaker(engine, KeyRing.load(instance / "keys.json"))() as s:
        worker = s.execute(select(User).where(User.email_index == s.info["keyring"].index(
            "email", WORKER))).scalar_one()
        conv = s.execute(select(Conversation).where(
            Conversation.worker_id == worker.id, Conversation.status == "in_progress")
            .order_by(Conversation.id).limit(1)).scalar_one()
        canvas = full_canvas(random.Random(5))
        canvas["details"]["held_at"] = ""  # in progress: not held yet, so nothing to refuse
        conv.canvas = canvas
        conv.version += 1
        s.commit()
        conv_id = conv.id
    engine.dispose()
    return conv_id


def _cpu(call: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.process_time()
        out = call()
        times.append((time.process_time() - t0) * 1000)
    return times, out


def _line(what: str, times: list[float]) -> str:
    times = sorted(times)
    p90 = times[int(len(times) * 0.9)]
    return (f"{what:<22} {statistics.median(times):6.2f} ms CPU median, {p90:6.2f} p90, "
            f"{len(times)} requests")


def measure(instance: Path, repeat: int, profile: bool) -> None:
    conv_id = prepare(instance)
    app, client = inprocess.signed_in(instance, WORKER)
    url = f"/conversations/{conv_id}/canvas"

    def page() -> Any:
        answer = client.get(url)
        assert answer.status_code == 200, answer.status_code
        return answer

    first = page()
    form = CanvasForm()
    form.feed(first.get_data(as_text=True))
    fields = dict(form.fields)
    state = {"version": int(fields["base_version"]), "n": 0}

    def autosave() -> Any:
        state["n"] += 1
        posted = [(k, str(state["version"]) if k == "base_version" else
                   (v + f" [typed {state['n']}]" if k == "area-worker_analysis" else v))
                  for k, v in form.fields] + [("action", "autosave")]
        answer = client.post(f"/conversations/{conv_id}/autosave", data=MultiDict(posted),
                             headers={"X-Requested-With": "fetch"})
        assert answer.status_code == 200 and answer.json["status"] == "saved", answer.data
        state["version"] = answer.json["version"]
        return answer

    def police_pdf() -> Any:
        answer = client.post(f"/conversations/{conv_id}/documents/police.pdf",
                             data={"csrf_token": csrf_of(first.data)})
        assert answer.status_code == 200 and answer.data.startswith(b"%PDF"), answer.status_code
        return answer

    _cpu(page, 5)  # warm: templates compiled, caches filled
    times, answer = _cpu(page, repeat)
    print(_line("conversation page", times) + f", {len(answer.data):,} bytes")
    times, _ = _cpu(autosave, repeat)
    print(_line("autosave", times))
    _cpu(police_pdf, 2)
    times, _ = _cpu(police_pdf, max(20, repeat // 4))
    print(_line("police PDF request", times))
    if profile:
        inprocess.profile("conversation page", page)
        inprocess.profile("autosave", autosave)
        inprocess.profile("police PDF request", police_pdf, 20)
    app.extensions["rhc_database"].dispose()


def main(argv: list[str] | None = None) -> int:
    return inprocess.main("bench.canvas_page", __doc__, SMALL, 200, measure, argv)


if __name__ == "__main__":
    raise SystemExit(main())
