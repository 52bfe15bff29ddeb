"""Who can see what: the filters every query for a case record goes through.

A worker sees the conversations they hold or that are shared with them, and the children and
episodes behind those; a manager sees their organisation's; an administrator manages users and
settings but not case records. Anything else, and above all another organisation's record,
is simply not found. The web layer (web/loaders.py) turns "not found" into 404 (not 403), so
ids reveal nothing.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import Session

from rhc_app.store.models import Child, Conversation, ConversationShare, Episode, User

# Accounts that see what children said: a manager approves each one and two-step sign-in is
# required (services/invitations.py). The exploitation lead sees only connections' entries.
CASE_ROLES = ("worker", "manager", "exploitation_lead")


def conversation_filter(user: User) -> ColumnElement[bool]:
    """A WHERE clause limiting conversations to those `user` may see."""
    same_org = Conversation.organisation_id == user.organisation_id
    if user.role == "manager":
        return same_org
    if user.role == "worker":
        return same_org & or_(*own_work(user))
    return ~true()


def own_work(user: User) -> tuple[ColumnElement[bool], ...]:
    """The ways a conversation is a user's own, each alone: one they hold, one shared with
    them (a worker). A list of their own work reads each as its own index range (listing's
    live_work); within the organisation, the parts together are what a worker may see."""
    held = Conversation.worker_id == user.id
    if user.role != "worker":
        return (held,)
    return (held, exists().where(ConversationShare.conversation_id == Conversation.id,
                                 ConversationShare.user_id == user.id))


def child_filter(user: User) -> ColumnElement[bool]:
    same_org = Child.organisation_id == user.organisation_id
    if user.role == "manager":
        return same_org
    if user.role == "worker":
        held = exists().where(Episode.child_id == Child.id,
                              Conversation.episode_id == Episode.id,
                              conversation_filter(user))
        return same_org & or_(held, Child.created_by == user.id)
    return ~true()


def episode_filter(user: User) -> ColumnElement[bool]:
    """A WHERE clause limiting episodes to those `user` may see: exactly those whose
    conversation they may see. Seeing the child is not enough (a colleague may hold another
    episode of the same child). An episode with no conversation yet is the child's creator's
    (and the managers')."""
    same_org = Episode.organisation_id == user.organisation_id
    if user.role == "manager":
        return same_org
    if user.role == "worker":
        seen = exists().where(Conversation.episode_id == Episode.id, conversation_filter(user))
        has_conversation = exists().where(Conversation.episode_id == Episode.id)
        created_child = exists().where(Child.id == Episode.child_id,
                                       Child.created_by == user.id)
        return same_org & or_(seen, ~has_conversation & created_child)
    return ~true()


def find_conversation(s: Session, user: User, conversation_id: str) -> Conversation | None:
    return s.execute(select(Conversation).where(Conversation.id == conversation_id,
                                                conversation_filter(user))).scalar_one_or_none()


def conversations_among(s: Session, user: User, ids: set[str] | list[str]) -> set[str]:
    """Which of these conversations `user` may open, in one query (a page's links)."""
    if not ids:
        return set()
    return set(s.execute(select(Conversation.id).where(
        Conversation.id.in_(sorted(set(ids))), conversation_filter(user))).scalars())


def find_child(s: Session, user: User, child_id: str) -> Child | None:
    return s.execute(select(Child).where(Child.id == child_id, child_filter(user))
                     ).scalar_one_or_none()


def find_episode(s: Session, user: User, episode_id: str) -> Episode | None:
    return s.execute(select(Episode).where(Episode.id == episode_id, episode_filter(user))
                     ).scalar_one_or_none()
