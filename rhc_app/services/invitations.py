"""Invitations: how an account with a case-record role gets its first password.

An administrator manages accounts but must not be able to read case records. So when an
administrator creates or resets a worker's or manager's account, its one-time password is made
of two halves: the administrator sees only the first; the second is sealed on the account until
a manager of the organisation (never the account's own holder) approves it and is shown it
once, to hand over in person. Neither alone can sign in. At first sign-in the new user chooses
a password and must set up two-step sign-in. Every creation, reset, approval and refusal is an
audit event, and the managers' team page lists those of the last NOTICE_DAYS days.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.security import audit
from rhc_app.security.access import CASE_ROLES
from rhc_app.security.passwords import hash_password
from rhc_app.security.sessions import end_all_sessions
from rhc_app.store.db import utcnow
from rhc_app.store.models import AuditEvent, User

NOTICE_DAYS = 30
# Audit actions that change who can sign in to a case-record account, in the users' words.
ACCOUNT_EVENTS = {
    "user_created": "Account created",
    "user_reset_password": "Password reset",
    "password_reset": "Password reset on the server",  # before services/users.py
    "invitation_approved": "Approved by a manager",
    "invitation_declined": "Refused by a manager",
    "user_approved_on_server": "Approved on the server",
}


def _half() -> str:
    return "-".join(secrets.token_hex(3) for _ in range(2))  # 48 bits; sign-in is throttled


def one_time_password() -> str:
    return "-".join(secrets.token_hex(3) for _ in range(4))


@dataclass
class Issued:
    """What the administrator may see: the whole password for an administrator's account, the
    first half for a worker's or manager's (`needs_approval`)."""

    shown: str
    needs_approval: bool


def issue(member: User, by: User | None, *, fast: bool, whole: bool = False) -> Issued:
    """A new one-time password for `member` (new or reset); ends nothing by itself. `whole`:
    for an operator on the server, who is shown all of it (services/users.py says why)."""
    member.must_change_password = True
    member.totp_secret = None
    member.totp_last_step = None
    if member.role in CASE_ROLES:
        member.two_step_required = True
    if whole or member.role not in CASE_ROLES:
        password = one_time_password()
        member.password_hash = hash_password(password, fast=fast)
        member.invitation_code = None
        return Issued(password, needs_approval=False)
    first, second = _half(), _half()
    member.password_hash = hash_password(f"{first}-{second}", fast=fast)
    member.invitation_code = second
    member.invited_by = by.id if by else None
    member.invited_at = utcnow()
    return Issued(first, needs_approval=True)


def others_who_can_approve(s: Session, member: User) -> int:
    """Active managers of the organisation, other than the account's own holder."""
    return len(s.execute(select(User.id).where(
        User.organisation_id == member.organisation_id, User.role == "manager",
        User.active.is_(True), User.id != member.id,
        User.invitation_code_enc.is_(None))).all())


def awaiting(s: Session, organisation_id: str) -> list[User]:
    members = s.execute(select(User).where(User.organisation_id == organisation_id,
                                           User.invitation_code_enc.is_not(None),
                                           User.active.is_(True))).scalars().all()
    return sorted(members, key=lambda u: u.invited_at or u.created_at)


def approvable(s: Session, manager: User, member_id: str) -> User | None:
    """The account `manager` may approve or refuse: a case-record account of their own
    organisation, awaiting approval, and not their own."""
    member = s.get(User, member_id)
    if (member is None or manager.role != "manager" or not manager.active
            or member.organisation_id != manager.organisation_id or member.id == manager.id
            or not member.awaiting_approval or not member.active):
        return None
    return member


def approve(s: Session, member: User, by: User | None) -> str:
    """Hand over the second half (once): it leaves the database now."""
    second = member.invitation_code
    assert second is not None
    member.invitation_code = None
    action = "invitation_approved" if by else "user_approved_on_server"
    audit.record(s, action, user_id=by.id if by else None, org_id=member.organisation_id,
                 record_type="user", record_id=member.id)
    return second


def decline(s: Session, member: User, by: User) -> None:
    """Not a person who should have this account: disable it and drop the second half."""
    member.invitation_code = None
    member.active = False
    member.session_version += 1
    end_all_sessions(s, member.id)
    audit.record(s, "invitation_declined", user_id=by.id, org_id=member.organisation_id,
                 record_type="user", record_id=member.id)


@dataclass
class AccountChange:
    at: datetime
    what: str
    account: User
    by: User | None  # None: an operator on the server


def recent_changes(s: Session, organisation_id: str, now: datetime | None = None
                   ) -> list[AccountChange]:
    """Creations, resets, approvals and refusals of case-record accounts, newest first."""
    since = (now or utcnow()) - timedelta(days=NOTICE_DAYS)
    events = s.execute(select(AuditEvent).where(
        AuditEvent.organisation_id == organisation_id, AuditEvent.action.in_(ACCOUNT_EVENTS),
        AuditEvent.at >= since, AuditEvent.record_type == "user",
    ).order_by(AuditEvent.seq.desc()).limit(200)).scalars().all()
    ids = {e.record_id for e in events} | {e.user_id for e in events if e.user_id}
    people = {u.id: u for u in s.execute(select(User).where(User.id.in_(ids))).scalars()}
    changes = []
    for e in events:
        account = people.get(e.record_id or "")
        if account is not None and account.role in CASE_ROLES:
            changes.append(AccountChange(e.at, ACCOUNT_EVENTS[e.action], account,
                                         people.get(e.user_id or "")))
    return changes
