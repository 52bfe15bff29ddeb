"""Actions and referrals followed to the end: adding and updating them, the lists of who owes
what, and keeping the actions ticked on a record in step with it.

An action is follow-up, not the record: it can be added or updated while the conversation is
in progress and after completion (no amendment needed), and every change is audited. Only
someone who can open the conversation may change its actions (the callers load it through
security/access.py), and only such a person may own one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from rhc_app.domain import follow_up
from rhc_app.domain.vocabulary import ACTION_STATUSES, label_of
from rhc_app.security import audit
from rhc_app.security.access import conversation_filter
from rhc_app.services.errors import CaseworkError
from rhc_app.store.db import utcnow
from rhc_app.store.models import (
    Child,
    Conversation,
    ConversationShare,
    Episode,
    FollowUpAction,
    Organisation,
    User,
)

OWN_KINDS = "extra_actions"  # the organisation's own actions, in Organisation.settings


def kinds_for(org: Organisation) -> dict[str, str]:
    return follow_up.kinds((org.settings or {}).get(OWN_KINDS))


def own_kinds(org: Organisation) -> dict[str, str]:
    return dict((org.settings or {}).get(OWN_KINDS) or {})


def set_own_kinds(s: Session, admin: User, org: Organisation, text: str) -> dict[str, str]:
    """Replace the organisation's own list. Actions already recorded keep their code and are
    still named (label_of shows an unknown code as words)."""
    own = follow_up.parse_own_kinds(text)
    org.settings = {**(org.settings or {}), OWN_KINDS: own}
    audit.record(s, "org_actions_changed", user_id=admin.id, org_id=org.id,
                 record_type="organisation", record_id=org.id, detail=f"{len(own)} own actions")
    return own


def owners_for(s: Session, conv: Conversation) -> list[User]:
    """Who may own one of this conversation's actions: the active people who can open it
    (its worker, those it is shared with, the organisation's managers)."""
    shared = select(ConversationShare.user_id).where(ConversationShare.conversation_id == conv.id)
    found = s.execute(select(User).where(
        User.organisation_id == conv.organisation_id, User.active.is_(True),
        (User.role == "manager") | (User.id == conv.worker_id) | User.id.in_(shared))
    ).scalars().all()
    return sorted(found, key=lambda u: (u.id != conv.worker_id, (u.name or "").casefold()))


@dataclass
class ActionChange:
    """What a form asks of one action (codes, a date and the words typed)."""

    kind: str
    owner_id: str
    due_on: date | None
    status: str = "open"
    outcome: str = ""
    detail: str = ""


def _check(s: Session, conv: Conversation, change: ActionChange, today: date,
           current: FollowUpAction | None = None) -> str:
    offered = kinds_for(conv_org(s, conv))
    if change.kind not in offered and not (current and change.kind == current.kind):
        raise CaseworkError("Select the action or referral", "kind")
    if change.owner_id not in {u.id for u in owners_for(s, conv)} and not (
            current and change.owner_id == current.owner_id):
        raise CaseworkError("Select who owns this action: someone who can open the "
                            "conversation", "owner_id")
    if len(change.detail) > follow_up.NOTE_MAX:
        raise CaseworkError(f"Enter {follow_up.NOTE_MAX:,} characters or fewer", "detail")
    new_due = change.due_on if current is None or change.due_on != current.due_on else None
    try:
        return follow_up.check_change(change.status, change.outcome, new_due, today)
    except follow_up.ActionRuleError as exc:
        raise CaseworkError(str(exc), exc.field) from exc


def conv_org(s: Session, conv: Conversation) -> Organisation:
    org = s.get(Organisation, conv.organisation_id)
    assert org is not None
    return org


def _audit(s: Session, user: User, conv: Conversation, what: str, action: FollowUpAction) -> None:
    # After completion a change is follow-up, not an amendment of the record: said so.
    when = "follow-up" if conv.status == "completed" else "during the conversation"
    audit.record(s, what, user_id=user.id, org_id=user.organisation_id,
                 record_type="conversation", record_id=conv.id,
                 detail=f"action {action.id}: {action.kind}, {action.status}, {when}")


def add_action(s: Session, user: User, conv: Conversation, change: ActionChange,
               today: date) -> FollowUpAction:
    note = _check(s, conv, change, today)
    action = FollowUpAction(organisation_id=conv.organisation_id, conversation_id=conv.id,
                            kind=change.kind, owner_id=change.owner_id, due_on=change.due_on,
                            status=change.status, source="added", created_by=user.id)
    s.add(action)
    action.detail = change.detail.strip() or None
    action.outcome = note or None
    if change.status in follow_up.CLOSED:
        action.closed_at = utcnow()
    s.flush()
    _audit(s, user, conv, "action_added", action)
    return action


def update_action(s: Session, user: User, conv: Conversation, action: FollowUpAction,
                  change: ActionChange, today: date) -> None:
    note = _check(s, conv, change, today, current=action)
    was_open = action.status == follow_up.OPEN
    action.kind, action.owner_id, action.due_on = change.kind, change.owner_id, change.due_on
    action.status = change.status
    action.outcome = note or None
    action.detail = change.detail.strip() or None
    action.updated_at, action.updated_by = utcnow(), user.id
    if change.status == follow_up.OPEN:
        action.closed_at = None
    elif was_open:
        action.closed_at = action.updated_at
    s.flush()
    _audit(s, user, conv, "action_closed" if was_open and change.status != follow_up.OPEN
           else "action_updated", action)


def find_action(s: Session, conv: Conversation, action_id: str) -> FollowUpAction | None:
    return s.execute(select(FollowUpAction).where(
        FollowUpAction.id == action_id, FollowUpAction.conversation_id == conv.id)
    ).scalar_one_or_none()


def sync_ticked(s: Session, user: User, conv: Conversation) -> None:
    """Each action ticked on the record is an open action of the conversation's worker; one
    unticked again goes too while nobody has touched it (a slip of the finger, not a
    decision). Called when the record is saved or amended."""
    ticked = set(conv.actions or [])
    have = s.execute(select(FollowUpAction).where(
        FollowUpAction.conversation_id == conv.id)).scalars().all()
    kinds = {a.kind for a in have}
    for code in sorted(ticked - kinds):
        action = FollowUpAction(organisation_id=conv.organisation_id, conversation_id=conv.id,
                                kind=code, owner_id=conv.worker_id or user.id, status="open",
                                source="record", created_by=user.id)
        s.add(action)
        s.flush()
        _audit(s, user, conv, "action_added", action)
    for action in have:
        if (action.kind not in ticked and action.source == "record"
                and action.updated_at is None and action.status == follow_up.OPEN):
            _audit(s, user, conv, "action_removed", action)
            s.delete(action)
    s.flush()


# -- what the pages and the PDF show -----------------------------------------------------------
@dataclass
class ActionView:
    action: FollowUpAction
    kind_label: str
    owner_name: str
    status_label: str
    due_label: str
    overdue: bool
    child: Child | None = None


def _view(action: FollowUpAction, labels: dict[str, str], names: dict[str, str], today: date,
          child: Child | None = None) -> ActionView:
    return ActionView(
        action=action, kind_label=label_of(labels, action.kind),
        owner_name=names.get(action.owner_id or "", "Nobody"),
        status_label=label_of(ACTION_STATUSES, action.status),
        due_label=follow_up.due_label(action.due_on, action.status, today),
        overdue=follow_up.is_overdue(action.due_on, action.status, today), child=child)


def _names(s: Session, ids: set[str | None]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: u.name or "" for u in s.execute(select(User).where(User.id.in_(wanted))
                                                   ).scalars()}


def _order(a: FollowUpAction) -> tuple[bool, date, datetime]:
    return (a.status != follow_up.OPEN, a.due_on or date.max, a.created_at)


def actions_of(s: Session, conv: Conversation, today: date) -> list[ActionView]:
    """The conversation's actions: open ones first, soonest due first."""
    found = sorted(s.execute(select(FollowUpAction).where(
        FollowUpAction.conversation_id == conv.id)).scalars().all(), key=_order)
    labels = kinds_for(conv_org(s, conv))
    names = _names(s, {a.owner_id for a in found})
    return [_view(a, labels, names, today) for a in found]


def _listed(s: Session, user: User, where: object, today: date, limit: int = 1000,
            offset: int = 0) -> list[ActionView]:
    # The actions' own columns pick the page (as _order: the first `limit`, not any); only
    # the picked ones are joined to their child. Joined first, PostgreSQL read the episode
    # and child of every open overdue action (730 of them on the bench) to show ten.
    order = (FollowUpAction.due_on.is_(None), FollowUpAction.due_on, FollowUpAction.created_at,
             FollowUpAction.id)
    picked = (select(FollowUpAction.id)
              .join(Conversation, Conversation.id == FollowUpAction.conversation_id)
              .where(_open(user, where))
              .order_by(*order).limit(limit).offset(offset)).subquery()
    found = s.execute(
        select(FollowUpAction, Child)
        .join(picked, picked.c.id == FollowUpAction.id)
        .join(Conversation, Conversation.id == FollowUpAction.conversation_id)
        .join(Episode, Episode.id == Conversation.episode_id)
        .join(Child, Child.id == Episode.child_id)
        .order_by(*order)).all()
    labels = kinds_for(user.organisation)
    names = _names(s, {a.owner_id for a, _c in found})
    return [_view(a, labels, names, today, child) for a, child in found]


def _open(user: User, where: object) -> ColumnElement[bool]:
    return and_(where, FollowUpAction.status == follow_up.OPEN,  # type: ignore[arg-type]
                conversation_filter(user))


def my_open_actions(s: Session, user: User, today: date) -> list[ActionView]:
    """The user's own open actions, on conversations they can open."""
    return _listed(s, user, FollowUpAction.owner_id == user.id, today)


def _team_overdue_where(manager: User, today: date) -> ColumnElement[bool]:
    return and_(FollowUpAction.organisation_id == manager.organisation_id,
                FollowUpAction.due_on < today)


def team_overdue(s: Session, manager: User, today: date, limit: int = 1000, offset: int = 0
                 ) -> list[ActionView]:
    """The open actions of the manager's organisation past their due day, most overdue first
    (`limit` of them, after the first `offset`)."""
    return _listed(s, manager, _team_overdue_where(manager, today), today, limit, offset)


def count_team_overdue(s: Session, manager: User, today: date) -> int:
    """How many team_overdue lists (the team page shows the first few and this count)."""
    return s.execute(select(func.count()).select_from(FollowUpAction)
                     .join(Conversation, Conversation.id == FollowUpAction.conversation_id)
                     .where(_open(manager, _team_overdue_where(manager, today)))).scalar_one()
