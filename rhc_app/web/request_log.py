"""Structured logs: one JSON object a line, each request's line carrying its request id.

What a line may hold is fixed here: the event, types, the endpoint's name, the method, the
status, the duration, the request id. Never a URL or query string, a form value, a header or
an exception's message: those can carry a child's name. An error keeps its type and where it
happened (file, line, function), which is enough to find it.
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
import uuid
from typing import IO, Any

from flask import Flask, Response, g, request

log = logging.getLogger("rhc_app.requests")
# A proxy's id is kept if it looks like one (so its logs and ours join); otherwise a new one.
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
FIELDS = ("request_id", "method", "endpoint", "status", "duration_ms", "error", "where")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name,
            "event": record.getMessage()}
        for name in FIELDS:
            if getattr(record, name, None) is not None:
                line[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
            line["where"] = where(record.exc_info[2])
        return json.dumps(line, ensure_ascii=False)


JsonFormatter.converter = time.gmtime  # the times are UTC, as the Z says


def where(tb: Any) -> list[str]:
    """The innermost frames of a traceback, without the values that were in them."""
    return [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}"
            for f in traceback.extract_tb(tb)[-5:]]


def configure(stream: IO[str] | None = None, *, as_json: bool = True) -> logging.Handler:
    """Send log records to `stream` (stderr by default): for a server every record from INFO
    up, as JSON lines; for an operator at a terminal only problems, as plain lines."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if as_json
                         else logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO if as_json else logging.WARNING)
    return handler


def request_id() -> str | None:
    return g.get("request_id")


def init_app(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None:
            response.headers["X-Request-Id"] = g.request_id
            log.info("request", extra={
                "request_id": g.request_id, "method": request.method,
                "endpoint": request.endpoint or "(no route)", "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
        return response
