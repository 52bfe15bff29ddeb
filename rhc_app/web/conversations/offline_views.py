"""Working without signal (issue 10): the service worker, the page it shows when a signed-in
page cannot be reached, what a tablet needs to seal its queue, and taking in one queued item.

The tablet seals each unsent save to the organisation's public key (static/js/offline.js);
it is opened only in crypto.py and saved through the same compare-and-swap as an autosave."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Any

from flask import Response, current_app, jsonify, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from rhc_app.domain.risk_factors import codes_for
from rhc_app.domain.vocabulary import ACTIONS, AREAS
from rhc_app.services import offline
from rhc_app.services.canvas import normalise_canvas
from rhc_app.services.conversations import save_canvas
from rhc_app.services.drafts import keep_draft
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import Conversation
from rhc_app.web.common import user
from rhc_app.web.conversations import bp
from rhc_app.web.conversations.canvas_form import CanvasInputError, add_scratch_note, parse
from rhc_app.web.conversations.views import load_conversation
from rhc_app.web.extensions import db
from rhc_app.web.sessions import draft_key

ITEM_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_ITEM = 400_000  # a whole canvas at its limits, sealed and in base64


@bp.get("/sw.js")
def service_worker() -> Any:
    """At the root, so its scope covers every page (it caches only /assets/ and /offline)."""
    path = Path(current_app.static_folder or "") / "js" / "sw.js"
    # Read whole (a few lines), not streamed: a HEAD would leave the file open.
    return Response(path.read_bytes(), mimetype="text/javascript",
                    headers={"Service-Worker-Allowed": "/"})


@bp.get("/offline")
def offline_page() -> Any:
    """Public and the same for everyone: the service worker keeps it, so it holds nothing
    about anyone (no name, no record; the conversation id it uses is in the page's URL)."""
    return render_template("conversations/offline.html", title="No signal")


@bp.get("/offline/state")
def offline_state() -> Any:
    """What a signed-in page's script needs to seal and send: nothing personal."""
    key = offline.public_key(db(), user().organisation_id)
    return jsonify(user=user().id, csrf=generate_csrf(),
                   key=base64.b64encode(key).decode("ascii") if key else None)


def _item() -> tuple[offline.QueuedItem, int] | None:
    form = request.form
    item_id = form.get("item", "")
    try:
        base = int(form.get("base_version", ""))
        parts = [base64.b64decode(form.get(name, ""), validate=True)
                 for name in ("tablet_key", "wrapped_key", "iv", "data")]
    except (ValueError, binascii.Error):
        return None
    if not ITEM_ID.match(item_id) or not 0 < base < 2**31 or not all(parts) \
            or sum(map(len, parts)) > MAX_ITEM:
        return None
    return offline.QueuedItem(item_id, *parts), base


@bp.post("/conversations/<conversation_id>/queued")
def send_queued(conversation_id: str) -> Any:
    """One item of the tablet's queue. The tablet removes it only on a 200 answer."""
    conv = load_conversation(conversation_id)
    parsed = _item()
    if parsed is None:
        return jsonify(status="invalid"), 400
    item, base = parsed
    if request.form.get("user") != user().id:  # kept by another worker on this tablet
        return jsonify(status="not_yours"), 409
    done = offline.receipt(db(), item.item_id)
    if done is not None:  # sent before, its answer lost: taken in once
        if done.conversation_id != conv.id:
            return jsonify(status="invalid"), 400
        return jsonify(status=done.outcome, version=conv.version, url=_canvas_url(conv))
    try:
        payload = offline.open_item(db(), user(), conv, item)
    except CaseworkError:
        return jsonify(status="unreadable"), 422
    try:
        outcome, version = _take_in(conv, payload, base)
    except CaseworkError as exc:
        db().rollback()
        return jsonify(status="read_only", message=str(exc)), 409
    offline.take_in(db(), user(), conv, item.item_id, outcome)
    db().commit()
    return jsonify(status=outcome, version=version, url=_canvas_url(conv))


def _canvas_url(conv: Conversation) -> str:
    return url_for("conversations.canvas", conversation_id=conv.id)


def _take_in(conv: Conversation, payload: dict[str, Any], base: int) -> tuple[str, int]:
    """Save the item as an autosave would; what cannot be saved as it is (a conflict, a
    field over its limit) is kept as this worker's draft, shown beside the saved version."""
    allowed = set(codes_for(user().organisation.setting("extra_risk_factors"))), set(ACTIONS)
    if payload["kind"] == "note":  # added to the record as it is now: nothing to overwrite
        area = str(payload.get("area", ""))
        canvas = normalise_canvas(conv.canvas) | {
            "scratch": str(payload.get("text", ""))[:5000],
            "scratch_area": area if area in AREAS else ""}
        base = conv.version
    else:
        fields = payload.get("fields")
        form = MultiDict([(str(k), str(v)) for k, v in fields] if isinstance(fields, list)
                         else [])
        try:
            canvas = parse(form, *allowed)
        except CanvasInputError as exc:
            keep_draft(db(), user().id, conv, exc.canvas or normalise_canvas(conv.canvas),
                       base, draft_key(session))
            return "kept", conv.version
    # Each queued copy of the page carries the quick-note box: add it once, not per copy.
    if (canvas.get("scratch") or "").strip() not in {n.get("text") for n in canvas["notes"]}:
        add_scratch_note(canvas)
    result = save_canvas(db(), user(), conv, canvas, base, session_key=draft_key(session))
    if not result.applied:
        keep_draft(db(), user().id, conv, canvas, base, draft_key(session))
        return "kept", result.version
    return "saved", result.version
