"""Power cut, as near as a test gets: gunicorn serving a real instance is killed with SIGKILL
(its whole process group) while a tablet streams autosaves. Afterwards SQLite's integrity check
passes and every save the server acknowledged is there: the stored version is at least the last
acknowledged one, and its canvas holds exactly the text sent for that version. Three rounds, the
server restarted on the same files each time; the audit chain is intact at the end."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.client import HTTPException
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from sqlalchemy import select

from rhc_app.crypto import KeyRing
from rhc_app.services.conversations import record_outcome
from rhc_app.store.db import make_engine, make_sessionmaker
from rhc_app.store.models import Conversation, User
from tests.conftest import PASSWORD, PG_URL, csrf_from, make_case, now
from tests.reliability_plugin import report

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite only: here the app owns the database "
                                "file; PostgreSQL's crash safety is its server's, not the app's")

BIN = Path(sys.executable).parent  # the virtualenv's bin: rhc, gunicorn
ROUNDS, DEADLINE = 3, 120  # seconds for the whole test, whatever happens


def _rhc(env, *args, stdin=None):
    done = subprocess.run([str(BIN / "rhc"), *args], env=env, input=stdin, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _instance(tmp_path):
    """`rhc init`, an organisation and a worker through the CLI; a case through the domain."""
    inst = tmp_path / "instance"
    env = {**os.environ, "RHC_INSTANCE_PATH": str(inst), "RHC_SESSION_COOKIE_SECURE": "false",
           "RHC_ARGON2_FAST": "true"}
    _rhc(env, "init")
    _rhc(env, "orgs", "create", "crashford", "--name", "Crashford Borough Council")
    _rhc(env, "users", "create", "--org", "crashford", "--email", "casey@crashford.example.org",
         "--name", "Casey Worker", "--role", "worker", stdin=PASSWORD + "\n")
    engine = make_engine(f"sqlite:///{inst / 'rhc.sqlite3'}")
    with make_sessionmaker(engine, KeyRing.load(inst / "keys.json"))() as s:
        worker = s.execute(select(User)).scalar_one()
        conv = s.get(Conversation, make_case(s, worker, name="Sky Crashtest").conversation.id)
        record_outcome(s, worker, conv, "accepted", now() - timedelta(hours=1))
        s.commit()
        conv_id = conv.id
    engine.dispose()
    return inst, env, conv_id


def _serve(env, log):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                             "rhc_app.wsgi:app"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group, killed whole
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with build_opener().open(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except (URLError, OSError):
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    pytest.fail("gunicorn did not start: " + Path(log.name).read_text()[-2000:])


def _stored(inst, conv_id):
    with sqlite3.connect(inst / "rhc.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    engine = make_engine(f"sqlite:///{inst / 'rhc.sqlite3'}")
    with make_sessionmaker(engine, KeyRing.load(inst / "keys.json"))() as s:
        conv = s.get(Conversation, conv_id)
        version, text = conv.version, conv.canvas["areas"]["victims"]
    engine.dispose()
    return version, text


def test_acknowledged_autosaves_survive_kill_9(tmp_path):
    started = time.monotonic()
    inst, env, conv_id = _instance(tmp_path)
    opener = build_opener(HTTPCookieProcessor(CookieJar()))
    version, _ = _stored(inst, conv_id)
    totals = {"acknowledged": 0, "in_flight_kept": 0}
    with open(tmp_path / "gunicorn.log", "ab") as log:
        for rnd in range(ROUNDS):
            proc, base = _serve(env, log)
            try:
                page = opener.open(base + "/sign-in", timeout=10).read().decode()
                opener.open(base + "/sign-in", urlencode({"email": "casey@crashford.example.org",
                            "password": PASSWORD, "csrf_token": csrf_from(page)}).encode(), timeout=10)
                page = opener.open(f"{base}/conversations/{conv_id}/canvas", timeout=10).read().decode()
                token, acks, sent, odd, stop = csrf_from(page), [], {}, [], threading.Event()

                def stream(base=base, token=token, acks=acks, sent=sent, odd=odd, stop=stop, seen=version,
                           rnd=rnd):
                    for j in range(5000):
                        text = f"Round {rnd}, save {j}: went to the canal with older boys. " * 20
                        sent[seen + 1] = text  # what this save holds if it is applied
                        try:
                            with opener.open(f"{base}/conversations/{conv_id}/autosave", urlencode({
                                    "csrf_token": token, "base_version": seen, "area-victims": text}).encode(),
                                    timeout=10) as r:
                                body = json.loads(r.read())
                        except (URLError, OSError, ValueError, HTTPException):
                            break  # the server is gone, maybe half-way through its answer
                        if body.get("status") != "saved":  # one tablet alone: never a conflict
                            odd.append(body)
                            break
                        seen = body["version"]
                        acks.append(seen)
                        if stop.is_set() or time.monotonic() - started > DEADLINE:
                            break

                streamer = threading.Thread(target=stream, daemon=True)
                streamer.start()
                target = random.randint(15, 80)  # noqa: S311 - when to pull the plug
                while len(acks) < target and streamer.is_alive() and time.monotonic() - started < DEADLINE:
                    time.sleep(0.005)
                os.killpg(proc.pid, signal.SIGKILL)  # mid-stream, with no warning
                proc.wait(timeout=10)
                stop.set()
                streamer.join(timeout=30)
                assert not streamer.is_alive() and not odd, odd
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
            assert acks, "no save was acknowledged before the kill"
            version, text = _stored(inst, conv_id)
            # At least every acknowledged save; at most the one in flight when the server died.
            assert acks[-1] <= version <= acks[-1] + 1, (acks[-1], version)
            assert text == sent[version]
            totals["acknowledged"] += len(acks)
            totals["in_flight_kept"] += version - acks[-1]
    assert "Audit chain intact" in _rhc(env, "audit", "verify")
    report("crash", f"{ROUNDS} kill -9 rounds, integrity check and audit chain pass, "
           f"{totals['acknowledged']} acknowledged autosaves all kept, "
           f"{totals['in_flight_kept']} unacknowledged in-flight saves also committed")
