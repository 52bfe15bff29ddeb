"""Who holds a conversation, and who else may work on it: a manager allocates it to one
worker and may share it with others (cover, joint work). No Flask; the caller commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rhc_app.security import audit
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import Conversation, ConversationShare, User


def _colleague(s: Session, manager: User, worker_id: str, roles: tuple[str, ...]) -> User:
    """An active user of the manager's own organisation with one of `roles`, or a refusal."""
    worker = s.get(User, worker_id) if worker_id else None
    if worker is None or worker.organisation_id != manager.organisation_id or \
            worker.role not in roles or not worker.active:
        raise CaseworkError("Choose a worker from your team", field="worker_id")
    return worker


def allocate(s: Session, manager: User, conv: Conversation, worker_id: str) -> User:
    """Make `worker_id` (a worker or manager of the team) the one who holds `conv`."""
    worker = _colleague(s, manager, worker_id, ("worker", "manager"))
    conv.worker_id = worker.id
    audit.record(s, "conversation_allocated", user_id=manager.id, org_id=manager.organisation_id,
                 record_type="conversation", record_id=conv.id)
    return worker


def share(s: Session, manager: User, conv: Conversation, worker_id: str) -> User:
    """Let another worker of the team see and work on `conv`; sharing twice, or with the
    worker who holds it, changes nothing."""
    worker = _colleague(s, manager, worker_id, ("worker",))
    if worker.id != conv.worker_id and s.get(ConversationShare, (conv.id, worker.id)) is None:
        s.add(ConversationShare(conversation_id=conv.id, user_id=worker.id))
        audit.record(s, "conversation_shared", user_id=manager.id,
                     org_id=manager.organisation_id, record_type="conversation",
                     record_id=conv.id)
    return worker
