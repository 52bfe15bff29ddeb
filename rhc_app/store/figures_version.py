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

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from rhc_app.store.models.cases import Child, Conversation, Episode
from rhc_app.store.models.closing import OfferClosure
from rhc_app.store.models.covering import CoveredEpisode
from rhc_app.store.models.figures import FiguresVersion
from rhc_app.store.models.people import Organisation, User
from rhc_app.store.org_version import OrgVersion

# Columns whose change leaves every figure as it was: notes, names and bookkeeping. Any other
# column changed (or a row added or deleted) changes the version: a figure added later that
# reads a new column is safe without a change here.
NOT_COUNTED: dict[type, frozenset[str]] = {
    Conversation: frozenset({"record_enc", "version", "updated_at", "updated_by",
                             "child_summary_enc", "summary_read_back_at", "carers_said_enc",
                             "actions", "outcome_reason_enc",
                             "return_reason_enc", "not_offered_by_enc"}),
    Episode: frozenset({"episode_ref_index", "episode_ref_enc", "found_where_enc",
                        "police_reference_enc", "police_risk", "missing_from"}),
    Child: frozenset({"name_enc", "name_index", "date_of_birth_enc", "gender",
                      "ethnicity_enc", "case_reference_enc", "case_reference_index",
                      "home_area_enc"}),
    CoveredEpisode: frozenset({"detach_reason_enc"}),
    # The team page's sections keep consent and closed offers (services/live_facts.py).
    OfferClosure: frozenset({"note_enc"}),
    Organisation: frozenset(),
}
# Of a user, only what the team's timeliness table shows: a worker's name and organisation
# (a sign-in changes the row every time, and must not recount the figures).
USER_COUNTED = frozenset({"name_enc", "organisation_id", "role"})


VERSION = OrgVersion(FiguresVersion, "figures_changed")
read, mark, changed_here, bump = VERSION.read, VERSION.mark, VERSION.changed_here, VERSION.bump


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
