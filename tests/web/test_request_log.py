"""Logs are one JSON object a line with a request id, and hold nothing personal (no URL or
query string, no form value, no exception message); /healthz says whether the database
answers, /livez only that the process does."""

from __future__ import annotations

import io
import json
import logging

import pytest

from rhc_app.store.db import make_engine
from rhc_app.web import request_log

NAME = "Nova Testchild"  # invented


@pytest.fixture
def lines(app):  # type: ignore[no-untyped-def]
    """What the server would write to stderr, as configured outside tests."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = request_log.configure(stream)

    @app.get("/test-only/fails")
    def fails() -> str:
        raise ValueError(f"could not file {NAME}")

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    root.removeHandler(handler)
    root.setLevel(level)


def test_each_request_is_one_json_line_with_nothing_personal(world, auth, client, lines):
    auth.sign_in(world.user("north", "worker"))
    r = auth.post("/children", {"query": NAME})
    client.get(f"/children?name={NAME.replace(' ', '+')}&ref=NT-4411")
    client.get("/test-only/fails")
    logged = lines()
    assert logged and all(isinstance(line, dict) for line in logged)
    text = json.dumps(logged)
    for personal in (NAME, "Nova", "Testchild", "NT-4411", "?", "could not file"):
        assert personal not in text, personal
    requests = [line for line in logged if line["event"] == "request"]
    assert {"children.find", "auth.sign_in"} <= {line["endpoint"] for line in requests}
    for line in requests:
        assert set(line) == {"time", "level", "logger", "event", "request_id", "method",
                             "endpoint", "status", "duration_ms"}
        assert len(line["request_id"]) == 32 and line["duration_ms"] >= 0
    assert r.headers["X-Request-Id"] in {line["request_id"] for line in requests}
    error = next(line for line in logged if line["event"] == "unhandled ValueError")
    assert error["error"] == "ValueError" and error["where"][-1].endswith(" fails")
    assert error["request_id"] == next(line["request_id"] for line in requests
                                       if line["status"] == 500)


@pytest.mark.parametrize("given, kept", [("proxy-req-12345678", True), ("short", False),
                                         ("x" * 65, False), ("has spaces in it", False)])
def test_a_proxy_request_id_is_kept_when_it_looks_like_one(client, lines, given, kept):
    r = client.get("/livez", headers={"X-Request-Id": given})
    assert (r.headers["X-Request-Id"] == given) is kept
    assert lines()[-1]["request_id"] == r.headers["X-Request-Id"]


def test_healthz_asks_the_database_and_livez_does_not(app, client):
    assert (client.get("/healthz").status_code, client.get("/livez").status_code) == (200, 200)
    database = app.extensions["rhc_database"]
    saved = database.engine, database.read_engine
    unreachable = make_engine("sqlite:////nonexistent-folder/rhc.sqlite3")
    database.engine = database.read_engine = unreachable  # as if the server had gone
    try:
        r = client.get("/healthz")
        assert (r.status_code, r.get_data(as_text=True)) == (503, "database not answering")
        assert client.get("/livez").status_code == 200
    finally:
        database.engine, database.read_engine = saved
        unreachable.dispose()
    assert client.get("/healthz").status_code == 200


def _process(instance, *args: str):  # type: ignore[no-untyped-def]
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("RHC_")}
    env["RHC_INSTANCE_PATH"] = str(instance)
    return subprocess.run([*args], env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_the_server_logs_json_and_the_operator_reads_plain_lines(tmp_path):
    import sys
    from pathlib import Path

    instance = tmp_path / "instance"
    rhc = str(Path(sys.executable).parent / "rhc")
    assert _process(instance, rhc, "init").returncode == 0
    served = _process(instance, sys.executable, "-c",
                      "from rhc_app.wsgi import app\n"
                      f"app.test_client().get('/livez?name={NAME.replace(' ', '+')}')\n"
                      "app.test_client().get('/healthz')")
    assert served.returncode == 0, served.stderr
    logged = [json.loads(line) for line in served.stderr.splitlines()]
    assert [(line["endpoint"], line["status"]) for line in logged] == [
        ("alive", 200), ("health", 200)]
    assert "Nova" not in served.stderr
    instance.chmod(0o755)  # a problem the command fixes, and says so on stderr, plainly
    listed = _process(instance, rhc, "keys", "list")
    assert listed.returncode == 0 and "(active)" in listed.stdout
    assert listed.stderr.startswith("WARNING: ") and "{" not in listed.stderr
