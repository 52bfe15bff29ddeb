"""Keeping what was typed when a session expired: saved as the user's draft, restored after
they sign in again."""

from __future__ import annotations

from flask import Request
from sqlalchemy import select

from rhc_app.domain.risk_factors import codes_for
from rhc_app.security.access import conversation_filter
from rhc_app.services.casework import keep_draft
from rhc_app.store.models import Conversation, User
from rhc_app.web.conversations.canvas_form import CanvasInputError, parse
from rhc_app.web.extensions import db


def keep_expired_post(user_id: str, request: Request) -> bool:
    """Called before the redirect to sign-in, only for posts that carried the expired
    session's own CSRF token (checked by the caller)."""
    view_args = request.view_args or {}
    if request.endpoint not in ("conversations.save_canvas_page", "conversations.autosave"):
        return False
    s = db()
    user = s.get(User, user_id)
    if user is None or not user.active:
        return False
    # The same rule as every other view: only a conversation this user may open.
    conv = s.execute(select(Conversation).where(
        Conversation.id == view_args.get("conversation_id"),
        conversation_filter(user))).scalar_one_or_none()
    if conv is None:
        return False
    from rhc_app.services.casework import ACTIONS

    try:
        canvas = parse(request.form, set(codes_for(user.organisation.setting(
            "extra_risk_factors"))), set(ACTIONS))
    except CanvasInputError:
        return False
    try:
        base = int(request.form.get("base_version") or conv.version)
    except ValueError:
        base = conv.version
    if not 0 < base < 2**31:  # as the save itself checks: keep the text, not the bad number
        base = conv.version
    keep_draft(s, user.id, conv, canvas, base)
    s.commit()
    return True
