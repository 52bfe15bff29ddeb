"""`rhc sessions purge`: remove expired web-session rows (the app also removes a few at each
sign-in; this clears a backlog, e.g. from cron)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from rhc_app.cli.common import database
from rhc_app.security.sessions import purge_expired
from rhc_app.store.db import utcnow


@click.group("sessions", cls=AppGroup)
def sessions_group() -> None:
    """Web sessions kept in the database."""


@sessions_group.command("purge")
def sessions_purge() -> None:
    """Remove every session that has timed out (idle or absolute)."""
    with database().factory() as s:
        removed = purge_expired(s, utcnow(), current_app.config["SESSION_IDLE_MINUTES"],
                                current_app.config["SESSION_ABSOLUTE_HOURS"])
        s.commit()
    click.echo(f"{removed} expired sessions removed")


def register(app: Flask) -> None:
    app.cli.add_command(sessions_group)
