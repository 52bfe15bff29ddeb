"""The people and places index's version of each organisation, replaced in the same
transaction as every write to its index (services/kept_links.py reuses the connections and
hotspots counted from the index only while the version they were counted at is still the one
in the database).

The services write the index with Core statements (services/links.py), which no listener
sees: the service that writes calls :func:`mark`. Rows added or removed as objects (the
benchmark's seed) are seen in `before_flush`. The version is replaced once, as the
transaction commits, so the row is locked (on PostgreSQL) only for the commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from rhc_app.store.models.links import LinkIndexVersion, LinkToken
from rhc_app.store.org_version import OrgVersion

VERSION = OrgVersion(LinkIndexVersion, "link_index_changed")
read, mark, changed_here, bump = VERSION.read, VERSION.mark, VERSION.changed_here, VERSION.bump


@event.listens_for(Session, "before_flush")
def _rows_as_objects(session: Session, _ctx: Any, _instances: Any) -> None:
    orgs = {obj.organisation_id for group in (session.new, session.dirty, session.deleted)
            for obj in group if isinstance(obj, LinkToken)}
    if orgs:
        mark(session, orgs)
