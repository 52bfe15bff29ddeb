"""`rhc links rebuild`: the people and places index again, from every conversation's canvas.

Run it after a change to how identifiers are folded (domain/identifiers.py) or after the
migration that adds the index. Key rotation needs no rebuild: the index key never rotates
(crypto.py), so every token stays the same under a new sealing key.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from rhc_app.cli.common import _fail, session_with_keys
from rhc_app.security import audit
from rhc_app.services import links
from rhc_app.store.models import Organisation


def register(app: Flask) -> None:
    app.cli.add_command(links_group)


@click.group("links", cls=AppGroup)
def links_group() -> None:
    """The people and places index behind connections."""


@links_group.command("rebuild")
@click.option("--org", "slug", default=None, help="Only this organisation (its slug)")
def links_rebuild(slug: str | None) -> None:
    """Rebuild the index from every conversation (in one transaction)."""
    with session_with_keys() as s:
        org_id = None
        if slug is not None:
            org_id = s.execute(select(Organisation.id).where(Organisation.slug == slug)
                               ).scalar_one_or_none()
            if org_id is None:
                _fail(f"there is no organisation {slug!r}")
        conversations, rows = links.rebuild(s, org_id)
        audit.record(s, "links_rebuilt", org_id=org_id,
                     detail=f"{conversations} conversations, {rows} entries")
        s.commit()
    click.echo(f"Rebuilt the people and places index: {conversations} conversations, "
               f"{rows} entries")
