"""Drafts: what a user typed and has not saved yet, kept sealed per user and conversation.

Autosave keeps one, a save from the page that showed it discards it, and a post from a
session that expired mid-typing is kept as one, restored after the user signs in again (the
web layer reads that post in web/conversations/rescue.py; this keeps it)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rhc_app.security.access import conversation_filter
from rhc_app.services.canvas import normalise_canvas
from rhc_app.store.db import utcnow
from rhc_app.store.models import Conversation, Draft, User, WebSession


def keep_draft(s: Session, user_id: str, conv: Conversation, canvas: dict[str, Any],
               base_version: int, session_key: str = "") -> None:
    """Keep what this user typed in this browser session. One session can post twice at once
    (two tabs), or its save can discard the draft meanwhile: plain statements (update, else
    insert in a savepoint, else update again) never trip over a row that changed under them."""
    payload = json.dumps(canvas, ensure_ascii=False)
    blob = s.info["keyring"].seal(payload, f"{Draft.__tablename__}.payload.{conv.id}:{user_id}")
    values = {"base_version": base_version, "payload_enc": blob, "saved_at": utcnow()}
    mine = ((Draft.conversation_id == conv.id) & (Draft.user_id == user_id)
            & (Draft.session_key == session_key))
    for _attempt in range(3):
        if s.execute(update(Draft).where(mine).values(**values)
                     .execution_options(synchronize_session=False)).rowcount:
            break
        try:
            with s.begin_nested():
                s.execute(insert(Draft).values(conversation_id=conv.id, user_id=user_id,
                                               session_key=session_key, **values))
            break
        except IntegrityError:
            continue  # the other tab inserted it first: update theirs
    s.expire_all()


def _shown_draft(s: Session, user_id: str, conv_id: str, session_key: str) -> Draft | None:
    """This session's draft, else the newest left by a session that has ended (it expired
    mid-typing, or signed out). A draft of a session still open is that tablet's own."""
    own = s.get(Draft, (conv_id, user_id, session_key))
    if own is not None:
        return own
    return s.execute(select(Draft).where(
        Draft.conversation_id == conv_id, Draft.user_id == user_id,
        Draft.session_key.not_in(select(WebSession.token_hash)))
        .order_by(Draft.saved_at.desc()).limit(1)).scalar_one_or_none()


def load_draft(s: Session, user_id: str, conv_id: str, session_key: str = ""
               ) -> tuple[dict[str, Any], int] | None:
    draft = _shown_draft(s, user_id, conv_id, session_key)
    if draft is None:
        return None
    return normalise_canvas(json.loads(draft.payload)), draft.base_version


def discard_draft(s: Session, conv_id: str, user_id: str, session_key: str = "") -> None:
    """Discard the draft this session was shown (see load_draft): others stay."""
    draft = _shown_draft(s, user_id, conv_id, session_key)
    if draft is not None:
        s.execute(delete(Draft).where(Draft.conversation_id == conv_id,
                                      Draft.user_id == user_id,
                                      Draft.session_key == draft.session_key)
                  .execution_options(synchronize_session=False))


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
