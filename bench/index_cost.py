"""What the people and places index costs where it is written: every save of a canvas
(services/links.py `reindex`, inside services/conversations.py `save_canvas`).

In the bench process, against the seeded instance: for each conversation the bench clients
autosave (each names at least one recurring person and place), the save as the service makes
it, each rolled back, so the instance is left as it was. `reindex` is timed (CPU) inside that
save, as the save calls it (the canvas it replaced given, nothing decrypted or read that the
save would not): the index's share of the save is its time over the whole save's. Two kinds
of save: what the autosave posts (a note changed: the index is left alone unless a mention's
date moves), and a save that changes a person (the first person's description: its tokens
worked out and written again). The run also divides the first by the autosave step's app CPU
per request (the whole HTTP request) at one client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from rhc_app.crypto import KeyRing
from rhc_app.services import links
from rhc_app.services.canvas import normalise_canvas
from rhc_app.services.conversations import save_canvas
from rhc_app.store.db import make_engine, make_sessionmaker
from rhc_app.store.models import Conversation, LinkToken, User

ROUNDS = 3  # each conversation saved this many times (the first warms the caches)


def _note_changed(canvas: dict[str, Any], n: int) -> None:
    """What the bench's autosave changes: the worker's analysis typed on."""
    canvas["areas"]["worker_analysis"] = f"{canvas['areas'].get('worker_analysis') or ''} [{n}]"


def _person_changed(canvas: dict[str, Any], n: int) -> None:
    if canvas["people"] and isinstance(canvas["people"][0], dict):
        first = canvas["people"][0]
        first["description"] = f"{first.get('description') or ''} seen again ({n})"
    else:
        _note_changed(canvas, n)


class _Timed:
    """links.reindex, timed wherever the save calls it."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.rows = 0
        self.real = links.reindex

    def __call__(self, *args: Any, **kwargs: Any) -> int:
        t0 = time.process_time()
        written = self.real(*args, **kwargs)
        self.cpu += time.process_time() - t0
        self.rows += written
        return written


def index_rows(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(LinkToken)).scalar_one())
    finally:
        engine.dispose()


def measure(instance: Path, url: str, conversation_ids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = _saves(instance, url, conversation_ids, _note_changed)
    changed = _saves(instance, url, conversation_ids, _person_changed)
    out["person_changed"] = {k: changed.get(k) for k in
                             ("save_cpu_ms", "reindex_cpu_ms", "share_of_save", "rows_per_save")}
    return out


def _saves(instance: Path, url: str, conversation_ids: list[str],
           change: Callable[[dict[str, Any], int], None]) -> dict[str, Any]:
    engine = make_engine(url)
    factory = make_sessionmaker(engine, KeyRing.load(instance / "keys.json"))
    save_cpu = index_cpu = 0.0
    saves = rows = people = places = refused = 0
    timed = _Timed()
    links.reindex = timed  # type: ignore[assignment]
    try:
        with factory() as s:
            for rnd in range(ROUNDS):
                for cid in conversation_ids:
                    conv = s.get(Conversation, cid)
                    if conv is None or conv.worker_id is None:
                        continue
                    worker = s.get(User, conv.worker_id)
                    canvas = normalise_canvas(conv.canvas)
                    change(canvas, rnd)
                    timed.cpu, timed.rows = 0.0, 0
                    t0 = time.process_time()
                    saved = save_canvas(s, worker, conv, canvas, conv.version)
                    s.flush()
                    t1 = time.process_time()
                    s.rollback()
                    if not saved.applied:
                        refused += 1
                        continue  # refused (a problem on the canvas): not a save
                    if rnd == 0:
                        continue  # warming: not counted
                    save_cpu += t1 - t0
                    index_cpu += timed.cpu
                    saves += 1
                    rows += timed.rows
                    people += len(canvas["people"])
                    places += len(canvas["places"])
    finally:
        links.reindex = timed.real  # type: ignore[method-assign]
        engine.dispose()
    if not saves:
        return {"saves": 0, "refused": refused}
    return {"saves": saves, "refused": refused, "save_cpu_ms": round(save_cpu * 1000 / saves, 2),
            "reindex_cpu_ms": round(index_cpu * 1000 / saves, 2),
            "share_of_save": round(index_cpu / save_cpu, 4) if save_cpu else None,
            "rows_per_save": round(rows / saves, 1), "people_per_canvas": round(people / saves, 1),
            "places_per_canvas": round(places / saves, 1)}


def autosaved(url: str, limit: int = 60) -> list[str]:
    """The conversations the bench clients autosave: those in progress with a worker."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(Conversation.id).where(
                Conversation.status == "in_progress", Conversation.worker_id.is_not(None))
                .order_by(Conversation.id).limit(limit)).scalars())
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """python -m bench.index_cost INSTANCE: the index's share of a save on a seeded SQLite
    instance (each save rolled back, so the instance is left as it was)."""
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="python -m bench.index_cost")
    ap.add_argument("instance", type=Path)
    instance = ap.parse_args(argv).instance
    url = f"sqlite:///{instance / 'rhc.sqlite3'}"
    print(json.dumps(measure(instance, url, autosaved(url))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
