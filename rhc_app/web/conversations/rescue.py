"""The post of a session that expired mid-typing: read here, kept by services/drafts.py."""

from __future__ import annotations

from flask import Request, session

from rhc_app.domain.risk_factors import codes_for
from rhc_app.domain.vocabulary import ACTIONS
from rhc_app.services.drafts import keep_rescued, rescue_target
from rhc_app.web.conversations.canvas_form import CanvasInputError, parse
from rhc_app.web.extensions import db
from rhc_app.web.sessions import draft_key

RESCUED_ENDPOINTS = ("conversations.save_canvas_page", "conversations.autosave")


def keep_expired_post(user_id: str, request: Request) -> bool:
    """Called before the redirect to sign-in, only for posts that carried the expired
    session's own CSRF token (checked by the caller)."""
    if request.endpoint not in RESCUED_ENDPOINTS:
        return False
    s = db()
    target = rescue_target(s, user_id, (request.view_args or {}).get("conversation_id"))
    if target is None:
        return False
    user, conv = target
    try:
        canvas = parse(request.form, set(codes_for(user.organisation.setting(
            "extra_risk_factors"))), set(ACTIONS))
    except CanvasInputError:
        return False
    keep_rescued(s, user, conv, canvas, request.form.get("base_version"), draft_key(session))
    return True
