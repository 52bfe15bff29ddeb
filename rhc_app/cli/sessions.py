"""`rhc sessions purge`: remove expired web-session rows (the app also removes a few at each
sign-in; this clears a backlog, e.g. from cron)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from rhc_app.web.extensions import database
from rhc_app.web.sessions import purge_expired


@click.group("sessions", cls=AppGroup)
def sessions_group() -> None:
    """Web sessions kept in the database."""


@sessions_group.command("purge")
def sessions_purge() -> None:
    """Remove every session that has timed out (idle or absolute)."""
    with database().factory() as s:
        removed = purge_expired(s, current_app)
        s.commit()
    click.echo(f"{removed} expired sessions removed")


def register(app: Flask) -> None:
    app.cli.add_command(sessions_group)
