"""`rhc audit`: check the keyed audit chain, and anchor it outside the database.

An anchor is the head hash and the number of events at one moment ("HASH:COUNT"). Kept
somewhere the database's writers cannot reach (a file on another machine, a ticket, a
print-out), it lets `rhc audit verify --anchor` notice what the chain alone cannot: the newest
events removed, or the whole log replaced.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from rhc_app.cli.common import session_with_keys
from rhc_app.security import audit

ANCHOR = re.compile(r"([0-9a-f]{64}):([0-9]{1,12})")


def register(app: Flask) -> None:
    app.cli.add_command(audit_group)


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """The keyed, hash-chained audit log."""


def _parse(text: str, where: str) -> tuple[int, str]:
    match = ANCHOR.fullmatch(text.strip())
    if not match or int(match.group(2)) == 0:
        raise click.ClickException(f"{where}: an anchor looks like HASH:COUNT (64 hex digits, "
                                   "a colon, the number of events), as `rhc audit anchor` "
                                   "prints it")
    return int(match.group(2)), match.group(1)


def _anchors(given: tuple[str, ...], anchor_file: str | None) -> dict[int, str]:
    anchors: dict[int, str] = {}
    for text in given:
        count, head = _parse(text, "--anchor")
        anchors[count] = head
    if anchor_file:
        lines = Path(anchor_file).read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if line.strip():
                count, head = _parse(line.split()[-1], f"{anchor_file} line {number}")
                if anchors.get(count, head) != head:
                    raise click.ClickException(f"{anchor_file} line {number}: two different "
                                               f"anchors for event {count}")
                anchors[count] = head
        if not anchors:
            raise click.ClickException(f"{anchor_file} holds no anchors")
    return anchors


@audit_group.command("verify")
@click.option("--anchor", "given", multiple=True, metavar="HASH:COUNT",
              help="An anchor printed by `rhc audit anchor`: the chain must still reach it.")
@click.option("--anchor-file", type=click.Path(exists=True, dir_okay=False),
              help="A file written by `rhc audit anchor --file`: every anchor in it is checked.")
def audit_verify(given: tuple[str, ...], anchor_file: str | None) -> None:
    """Check that no audit event was changed, removed, reordered or forged without the key."""
    anchors = _anchors(given, anchor_file)
    with session_with_keys() as s:
        report = audit.verify(s, anchors)
    if not report.ok:
        raise click.ClickException(f"audit chain broken after {report.count} good events: "
                                   f"{report.problem}")
    reached = f"; it reaches {len(anchors)} anchor(s), the newest at event {max(anchors)}" \
        if anchors else " (check it against an anchor, --anchor-file, to see removal of the " \
        "newest events too)"
    click.echo(f"Audit chain intact: {report.count} events{reached}")


@audit_group.command("anchor")
@click.option("--file", "anchor_file", type=click.Path(dir_okay=False),
              help="Also append the anchor, with the time, to this file (created mode 0600). "
                   "Keep it outside the database server.")
def audit_anchor(anchor_file: str | None) -> None:
    """Print the chain's head hash and event count (HASH:COUNT), after checking the chain."""
    with session_with_keys() as s:
        report = audit.verify(s)
    if not report.ok:
        raise click.ClickException(f"no anchor made: the audit chain is broken after "
                                   f"{report.count} good events: {report.problem}")
    if not report.count:
        raise click.ClickException("no anchor made: the audit log is empty")
    anchor = f"{report.head}:{report.count}"
    if anchor_file:
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        fd = os.open(anchor_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"{at} {anchor}\n")
    click.echo(anchor)
