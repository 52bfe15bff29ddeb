"""`rhc orgs`: organisations and their settings."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from rhc_app.cli.common import (
    SLUG,
    _fail,
    _org,
    session_with_keys,
)
from rhc_app.documents.records import DEFAULT_HANDLING, HANDLING_MAX, TEAM_CONTACT_MAX
from rhc_app.security import audit
from rhc_app.store.models import Organisation


def _one_line(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


# -- organisations ------------------------------------------------------------------------
@click.group(cls=AppGroup)
def orgs() -> None:
    """Organisations: a local authority or an independent provider."""


@orgs.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--kind", type=click.Choice(["local_authority", "provider"]),
              default="local_authority", show_default=True)
def orgs_create(slug: str, name: str, kind: str) -> None:
    """Create an organisation with a short SLUG (lower-case letters, digits, hyphens)."""
    if not SLUG.match(slug):
        _fail("SLUG must be 2 to 63 lower-case letters, digits or hyphens, e.g. 'harbourside'")
    if not name.strip() or len(name) > 200:
        _fail("--name must be 1 to 200 characters")
    with session_with_keys() as s:
        if s.execute(select(Organisation).where(Organisation.slug == slug)).scalar_one_or_none():
            _fail(f"an organisation '{slug}' exists already")
        org = Organisation(slug=slug, name=name.strip(), kind=kind)
        s.add(org)
        s.flush()
        audit.record(s, "org_created", org_id=org.id, record_type="organisation",
                     record_id=org.id)
        s.commit()
    click.echo(f"Created organisation {slug}")


@orgs.command("set")
@click.argument("slug")
@click.option("--repeat-threshold", type=click.IntRange(2, 20),
              help="Episodes in the window that call for a strategy meeting (default 3).")
@click.option("--repeat-window-days", type=click.IntRange(1, 365))
@click.option("--require-signoff/--no-require-signoff", default=None,
              help="Must a manager sign off a conversation before it counts as complete?")
@click.option("--small-count-threshold", type=click.IntRange(2, 20),
              help="Counts below this are shown as '<N' in shared outputs (default 5).")
@click.option("--handling-instructions", metavar="TEXT",
              help="Printed under the marking of the police record ('' for the standard "
                   f"wording: {DEFAULT_HANDLING})")
@click.option("--team-contact", metavar="TEXT",
              help="How a child reaches their worker's team, printed on the child's copy, "
                   "e.g. 'call or text the Missing Team on 07700 900123' ('' for none).")
def orgs_set(slug: str, repeat_threshold: int | None, repeat_window_days: int | None,
             require_signoff: bool | None, small_count_threshold: int | None,
             handling_instructions: str | None, team_contact: str | None) -> None:
    """Change an organisation's settings."""
    for name, value, limit in (("--handling-instructions", handling_instructions, HANDLING_MAX),
                               ("--team-contact", team_contact, TEAM_CONTACT_MAX)):
        if value is not None and len(value) > limit:
            _fail(f"{name} must be {limit} characters or fewer")
    with session_with_keys() as s:
        org = _org(s, slug)
        settings = dict(org.settings or {})
        for key, value in (("repeat_threshold", repeat_threshold),
                           ("repeat_window_days", repeat_window_days),
                           ("require_signoff", require_signoff),
                           ("small_count_threshold", small_count_threshold),
                           ("handling_instructions", _one_line(handling_instructions)),
                           ("team_contact", _one_line(team_contact))):
            if value is not None:
                settings[key] = value
        org.settings = settings
        audit.record(s, "org_settings_changed", org_id=org.id, record_type="organisation",
                     record_id=org.id)
        s.commit()
    click.echo(f"Updated {slug}")


@orgs.command("list")
def orgs_list() -> None:
    """List organisations."""
    with session_with_keys() as s:
        for org in s.execute(select(Organisation).order_by(Organisation.slug)).scalars():
            click.echo(f"{org.slug}\t{org.kind}\t{org.name}")
