"""Every record a view shows is loaded here, through the access filters: what the user may not
see answers 404, whether it exists or not, so ids reveal nothing."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy.orm import Session

from rhc_app.security.access import find_child, find_conversation, find_episode
from rhc_app.store.models import Child, Conversation, Episode, User

T = TypeVar("T")


def _found(record: T | None) -> T:
    if record is None:
        abort(404)
    return record


def get_conversation(s: Session, user: User, conversation_id: str) -> Conversation:
    return _found(find_conversation(s, user, conversation_id))


def get_child(s: Session, user: User, child_id: str) -> Child:
    return _found(find_child(s, user, child_id))


def get_episode(s: Session, user: User, episode_id: str) -> Episode:
    return _found(find_episode(s, user, episode_id))


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        abort(404)
