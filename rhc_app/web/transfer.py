"""Smaller transfers (issue 14): every asset URL carries a fingerprint of its file's bytes
(`/assets/rhc.css?v=…`), so the browser keeps it a year and a repeat visit asks for nothing;
an asset URL without the current fingerprint is revalidated (ETag) every time instead. Text
(pages, CSS, scripts, SVG, JSON) is gzipped for browsers that accept it.

Fingerprints go in the query string, not the file name: the service worker's list of assets
and its `ignoreSearch` lookups keep working unchanged."""

from __future__ import annotations

import gzip
import hashlib
import os
from typing import Any

from flask import Flask, Response, request
from werkzeug.security import safe_join

LONG_LIFE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # keep a copy, but ask (If-None-Match) before using it
COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript",
                "application/json", "image/svg+xml", "text/plain", "application/manifest+json"}
SMALLEST = 500  # below this gzip's own header and the CPU cost outweigh the saving

# filename -> (mtime_ns, size, fingerprint); and (filename, fingerprint) -> gzipped bytes
_fingerprints: dict[str, tuple[int, int, str]] = {}
_gzipped: dict[tuple[str, str], bytes] = {}


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _fingerprint_assets(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            mark = fingerprint(app, values["filename"])
            if mark:
                values["v"] = mark

    @app.after_request
    def _smaller(resp: Response) -> Response:
        if request.endpoint == "static":
            _asset_lifetime(app, resp)
        return _compress(app, resp)


def fingerprint(app: Flask, filename: str) -> str | None:
    """A short hash of the file's bytes, recomputed only when the file changes."""
    path = safe_join(str(app.static_folder), filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    kept = _fingerprints.get(path)
    if kept and kept[:2] == (stat.st_mtime_ns, stat.st_size):
        return kept[2]
    with open(path, "rb") as file:
        mark = hashlib.sha256(file.read()).hexdigest()[:12]
    _fingerprints[path] = (stat.st_mtime_ns, stat.st_size, mark)
    return mark


def _asset_lifetime(app: Flask, resp: Response) -> None:
    filename = (request.view_args or {}).get("filename", "")
    asked = request.args.get("v")
    current = asked and fingerprint(app, filename) == asked
    resp.headers["Cache-Control"] = LONG_LIFE if current else REVALIDATE


def _compress(app: Flask, resp: Response) -> Response:
    if resp.mimetype not in COMPRESSIBLE:
        return resp
    resp.vary.add("Accept-Encoding")
    if (resp.status_code != 200 or "Content-Encoding" in resp.headers
            or request.accept_encodings["gzip"] <= 0):
        return resp
    if request.endpoint == "static":
        return _compress_asset(app, resp)
    if resp.is_streamed:
        return resp  # a download written as it goes: left as it is
    body = resp.get_data()
    if len(body) >= SMALLEST:
        _set_gzipped(resp, gzip.compress(body, compresslevel=6))
    return resp


def _compress_asset(app: Flask, resp: Response) -> Response:
    filename = (request.view_args or {}).get("filename", "")
    mark = fingerprint(app, filename)
    resp.direct_passthrough = False  # the file is read into memory: assets are small
    opened = resp.response
    body = resp.get_data()
    if hasattr(opened, "close"):
        opened.close()  # get_data reads it all but leaves the file open
    if mark is None or len(body) < SMALLEST:
        return resp
    key = (filename, mark)
    if key not in _gzipped:
        _gzipped[key] = gzip.compress(body, compresslevel=9)
    _set_gzipped(resp, _gzipped[key])
    return resp


def _set_gzipped(resp: Response, data: bytes) -> None:
    resp.set_data(data)
    resp.headers["Content-Encoding"] = "gzip"
    etag, weak = resp.get_etag()
    if etag and not weak:
        # Another encoding of the same file: a weak tag still answers If-None-Match with 304.
        resp.set_etag(etag, weak=True)
