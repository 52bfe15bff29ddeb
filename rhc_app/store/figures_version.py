"""The figures' version of each organisation, replaced in the same transaction as every
write that can change what the reports count (services/kept_figures.py reuses a figure only
while the version it was computed at is still the one in the database).

ORM writes are seen here, in a `before_flush` listener on every session. Core statements
(`insert()`, `update()` run through `session.execute`) bypass it: the service that runs one
calls :func:`mark` itself. Either way the version is replaced once, as the transaction
commits: the row is locked (on PostgreSQL) only for the commit, so a long import does not
hold every other writer of the organisation's figures waiting behind it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session

from rhc_app.store.models.cases import Child, Conversation, Episode
from rhc_app.store.models.covering import CoveredEpisode
from rhc_app.store.models.figures import FiguresVersion
from rhc_app.store.models.people import Organisation, User

# Columns whose change leaves every figure as it was: notes, names and bookkeeping. Any other
# column changed (or a row added or deleted) changes the version: a figure added later that
# reads a new column is safe without a change here.
NOT_COUNTED: dict[type, frozenset[str]] = {
    Conversation: frozenset({"record_enc", "version", "updated_at", "updated_by",
                             "child_summary_enc", "summary_read_back_at", "carers_said_enc",
                             "consent_to_share", "actions", "outcome_reason_enc",
                             "return_reason_enc", "not_offered_by_enc"}),
    Episode: frozenset({"episode_ref_index", "episode_ref_enc", "found_where_enc",
                        "police_reference_enc", "police_risk", "missing_from"}),
    Child: frozenset({"name_enc", "name_index", "date_of_birth_enc", "gender",
                      "ethnicity_enc", "case_reference_enc", "case_reference_index",
                      "home_area_enc"}),
    CoveredEpisode: frozenset({"detach_reason_enc"}),
    Organisation: frozenset(),
}
# Of a user, only what the team's timeliness table shows: a worker's name and organisation
# (a sign-in changes the row every time, and must not recount the figures).
USER_COUNTED = frozenset({"name_enc", "organisation_id", "role"})


def new_version() -> int:
    return secrets.randbits(62)


def read(s: Session, org_id: str) -> int | None:
    """The organisation's figures version as this transaction sees it (None: no row yet)."""
    return s.execute(select(FiguresVersion.version)
                     .where(FiguresVersion.organisation_id == org_id)).scalar_one_or_none()


PENDING = "figures_changed"  # session.info: organisations whose figures this transaction changed


def mark(s: Session, org_ids: Iterable[str]) -> None:
    """These organisations' figures change with this transaction (replaced at its commit)."""
    s.info.setdefault(PENDING, set()).update(org_ids)


def changed_here(s: Session, org_id: str) -> bool:
    """True while this transaction holds changes to the organisation's figures not committed:
    what it counts now is nobody else's answer (and may yet be rolled back)."""
    return org_id in s.info.get(PENDING, ())


def bump(s: Session, org_ids: Iterable[str]) -> None:
    """Replace the figures version of these organisations, in the session's transaction."""
    conn = s.connection()
    for org_id in sorted(set(org_ids)):  # one order: two writers never deadlock on the rows
        done = conn.execute(update(FiguresVersion.__table__)
                            .where(FiguresVersion.organisation_id == org_id)
                            .values(version=new_version())).rowcount
        if not done:
            conn.execute(insert(FiguresVersion.__table__)
                         .values(organisation_id=org_id, version=new_version()))


def _counted_change(obj: Any) -> bool:
    if isinstance(obj, User):
        state = inspect(obj)
        return bool(obj.__dict__.get("_rhc_pending", {}).keys() & {"name"}) or any(
            state.attrs[k].history.has_changes() for k in USER_COUNTED)
    ignored = NOT_COUNTED.get(type(obj))
    if ignored is None:
        return False
    state = inspect(obj)
    return any(state.attrs[a.key].history.has_changes()
               for a in state.mapper.column_attrs if a.key not in ignored)


def _org_of(obj: Any) -> str | None:
    return obj.id if isinstance(obj, Organisation) else getattr(obj, "organisation_id", None)


WATCHED = (*NOT_COUNTED, User)


@event.listens_for(Session, "before_flush")
def _bump_before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    orgs: set[str] = set()
    for obj in session.new:
        if isinstance(obj, WATCHED) and not isinstance(obj, Organisation) and _org_of(obj):
            orgs.add(_org_of(obj))  # type: ignore[arg-type]
    for obj in session.deleted:
        if isinstance(obj, WATCHED) and _org_of(obj):
            orgs.add(_org_of(obj))  # type: ignore[arg-type]
    for obj in session.dirty:
        org = _org_of(obj) if isinstance(obj, WATCHED) else None
        # One counted change is enough: an import's thousands of rows are not all looked at.
        if org and org not in orgs and _counted_change(obj):
            orgs.add(org)
    known = {o.id for o in session.new if isinstance(o, Organisation)}
    if orgs - known:
        mark(session, orgs - known)


@event.listens_for(Session, "before_commit")
def _bump_at_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released (every audit event has one): not the commit yet
    session.flush()  # what is still to flush may change a figure too
    orgs = session.info.pop(PENDING, None)
    if orgs:
        bump(session, orgs)


@event.listens_for(Session, "after_rollback")
def _forget_marks(session: Session) -> None:
    session.info.pop(PENDING, None)


@event.listens_for(Session, "after_flush")
def _first_version(session: Session, _ctx: Any) -> None:
    """A new organisation's row, once the organisation itself is in."""
    for obj in session.new:
        if isinstance(obj, Organisation):
            session.connection().execute(insert(FiguresVersion.__table__).values(
                organisation_id=obj.id, version=new_version()))
