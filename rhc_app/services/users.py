"""Accounts: creating, resetting, disabling, enabling and approving them. The administrators'
pages and the `rhc users` commands both call these, so an account changes the same way, with
the same audit event, whoever changes it (`by` is None for an operator on the server).

One difference is deliberate: an administrator never sees the whole one-time password of a
worker's or manager's account (invitations.py), while an operator on the server does
(`whole=True`), since whoever runs commands there holds the key ring and can read every record
anyway. Every one-time password, from either, clears two-step sign-in, so a reset also serves
a person who lost their authenticator; a worker or manager then sets it up again at first
sign-in.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.security import audit
from rhc_app.security.passwords import hash_password
from rhc_app.security.sessions import end_all_sessions
from rhc_app.services import invitations
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import User

DUPLICATE_EMAIL = "A user with this email address already exists"


def _audit(s: Session, action: str, member: User, by: User | None) -> None:
    audit.record(s, action, user_id=by.id if by else None, org_id=member.organisation_id,
                 record_type="user", record_id=member.id)


def create(s: Session, organisation_id: str, email: str, name: str, role: str,
           by: User | None, *, fast: bool, whole: bool = False, password: str | None = None
           ) -> tuple[User, invitations.Issued | None]:
    """A new account with a one-time password, or (`password`, only on the server) with the
    password the operator chose, already checked against the policy."""
    email, ring = email.strip(), s.info["keyring"]
    index = ring.index("email", email)
    if s.execute(select(User.id).where(User.email_index == index)).first():
        raise CaseworkError(DUPLICATE_EMAIL, field="email")
    member = User(organisation_id=organisation_id, email_index=index, email=email,
                  name=name.strip(), role=role, must_change_password=False)
    issued = None
    if password is None:
        issued = invitations.issue(member, by, fast=fast, whole=whole)
    else:
        member.password_hash = hash_password(password, fast=fast)
    s.add(member)
    s.flush()
    _audit(s, "user_created", member, by)
    return member, issued


def _sign_out_everywhere(s: Session, member: User) -> None:
    member.session_version += 1
    end_all_sessions(s, member.id)


def reset_password(s: Session, member: User, by: User | None, *, fast: bool,
                   whole: bool = False) -> invitations.Issued:
    """A new one-time password; two-step sign-in is cleared and every session ends."""
    issued = invitations.issue(member, by, fast=fast, whole=whole)
    _sign_out_everywhere(s, member)
    _audit(s, "user_reset_password", member, by)
    return issued


def set_active(s: Session, member: User, by: User | None, active: bool) -> None:
    """Disable an account (signed out everywhere at once) or enable it again."""
    if by is not None and by.id == member.id and not active:
        raise CaseworkError("You cannot disable your own account")
    member.active = active
    _sign_out_everywhere(s, member)
    _audit(s, "user_enable" if active else "user_disable", member, by)


def approve(s: Session, member: User, by: User | None) -> str:
    """The second half of a pending one-time password, handed over once (invitations.py)."""
    if not member.awaiting_approval:
        raise CaseworkError("That account is not waiting for approval")
    return invitations.approve(s, member, by)
