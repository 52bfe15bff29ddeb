"""The `rhc` command: the operator's interface, one module per command group (instance,
orgs, users, keys, audit, backup, data, sessions, links)."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create(*_args: Any) -> Flask:
    from rhc_app import create_app

    return create_app(require_keys=False, log_as_json=False)  # an operator reads these


@click.group(cls=FlaskGroup, create_app=_create, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """Operate rhc_app: set up an instance, manage organisations, users, keys and the audit log."""


def register_commands(app: Flask) -> None:
    from rhc_app.cli import audit, backup, data, links, sessions
    from rhc_app.cli.instance import init
    from rhc_app.cli.keys import keys
    from rhc_app.cli.orgs import orgs
    from rhc_app.cli.users import users

    for cmd in (init, orgs, users, keys):
        app.cli.add_command(cmd)
    for group in (data, backup, audit, sessions, links):
        group.register(app)
