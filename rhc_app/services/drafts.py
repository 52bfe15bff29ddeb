"""Keeping what was typed when a session expired: saved as the user's draft, restored after
they sign in again. The web layer reads the post (web/conversations/rescue.py); this keeps it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.security.access import conversation_filter
from rhc_app.services.casework import keep_draft
from rhc_app.store.models import Conversation, User


def rescue_target(s: Session, user_id: str, conversation_id: str | None
                  ) -> tuple[User, Conversation] | None:
    """The user and the conversation a rescued post may be kept on, or None: the same rule as
    every other view, only a conversation this (still active) user may open."""
    user = s.get(User, user_id)
    if user is None or not user.active or not conversation_id:
        return None
    conv = s.execute(select(Conversation).where(
        Conversation.id == conversation_id, conversation_filter(user))).scalar_one_or_none()
    return None if conv is None else (user, conv)


def keep_rescued(s: Session, user: User, conv: Conversation, canvas: dict[str, Any],
                 base_version: str | None, session_key: str = "") -> None:
    try:
        base = int(base_version or conv.version)
    except ValueError:
        base = conv.version
    if not 0 < base < 2**31:  # as the save itself checks: keep the text, not the bad number
        base = conv.version
    keep_draft(s, user.id, conv, canvas, base, session_key)
    s.commit()
