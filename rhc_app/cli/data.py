"""`rhc import`, `rhc export` and `rhc report`: the standard dataset and the quarterly figures."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from rhc_app.cli.common import _org, session_with_keys
from rhc_app.domain import figures
from rhc_app.domain.dataset import export_dataset
from rhc_app.security import audit
from rhc_app.services import datasets
from rhc_app.services.errors import CaseworkError

PROGRESS_EVERY = 10_000  # rows between progress lines when not on a terminal


def register(app: Flask) -> None:
    for cmd in (import_group, export_group, report_group):
        app.cli.add_command(cmd)


@click.group("import", cls=AppGroup)
def import_group() -> None:
    """Bring data in."""


@import_group.command("episodes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", "org_slug", required=True)
def import_episodes(file: str, org_slug: str) -> None:
    """Import the standard dataset CSV: every row is checked first; any error imports nothing.
    The file is read twice (checked, then written) and never held whole."""
    with open(file, "rb") as fh, session_with_keys() as s, _Progress() as progress:
        if not fh.seekable():
            raise click.ClickException("the file is read twice (checked, then imported): give "
                                       "a file, not a pipe")
        org = _org(s, org_slug)
        try:
            errors, summary = datasets.import_file(s, s.info["keyring"], org, fh,
                                                   progress=progress)
        except CaseworkError as exc:
            raise click.ClickException(str(exc)) from None
        if summary is None:
            for err in errors:
                click.echo(f"line {err.line}, {err.column or 'file'}: {err.message}", err=True)
            raise click.ClickException(f"{len(errors)} problem(s) found: nothing was "
                                       "imported")
        s.commit()
    click.echo(f"Imported {summary.text()}")


class _Progress:
    """How far an import has gone, on standard error: a bar on a terminal while rows are
    written, otherwise (a log, a pipe) a line every PROGRESS_EVERY rows."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self.bar: Any = None
        self.shown = 0
        self.checking_said = False

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if not self.terminal:
            if done % PROGRESS_EVERY == 0 or done == total:
                of = f" of {total:,}" if total else ""
                click.echo(f"{stage.capitalize()} {done:,}{of} rows", err=True)
        elif total is None:  # the first pass: say once what the wait is for
            if not self.checking_said:
                click.echo("Checking every row ...", err=True)
                self.checking_said = True
        else:
            if self.bar is None:
                self.bar = click.progressbar(length=total, label="Importing", file=sys.stderr)
                self.bar.__enter__()
            self.bar.update(done - self.shown)
            self.shown = done


def _period(start: str, end: str) -> tuple[date, date]:
    try:
        lo, hi = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise click.BadParameter("dates are YYYY-MM-DD, e.g. 2024-04-01") from exc
    if hi < lo:
        raise click.BadParameter("--to must not be before --from")
    return lo, hi


@click.group("export", cls=AppGroup)
def export_group() -> None:
    """Take data out (pseudonymised for partners)."""


@export_group.command("dataset")
@click.option("--org", "org_slug", required=True)
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output")
def export(org_slug: str, start: str, end: str, output: str | None) -> None:
    """The standard dataset without names or birth dates, references replaced by keyed hashes."""
    lo, hi = _period(start, end)
    with session_with_keys() as s:
        org = _org(s, org_slug)
        ring = s.info["keyring"]
        text = export_dataset(datasets.export_rows(s, org, lo, hi),
                              lambda purpose, value: ring.pseudonym(org.id, purpose, value),
                              as_of=hi, threshold=int(org.setting("small_count_threshold")))
        audit.record(s, "dataset_exported", org_id=org.id, detail=f"{lo} to {hi}")
        s.commit()
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


@click.group("report", cls=AppGroup)
def report_group() -> None:
    """The figures services report every quarter."""


@report_group.command("quarterly")
@click.option("--org", "org_slug", required=True)
@click.option("--year", type=click.IntRange(2000, 2100), required=True,
              help="The financial year starting in April of YEAR")
@click.option("--cohort", type=click.Choice(["all", "in-care"]), default="all",
              show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "text"]), default="text",
              show_default=True)
def quarterly(org_slug: str, year: int, cohort: str, fmt: str) -> None:
    """No. missing children, episodes, offered, accepted, declined, within 72 hours."""
    with session_with_keys() as s:
        org = _org(s, org_slug)
        table = datasets.quarterly_tables(s, org, year)[cohort]
        audit.record(s, "report_quarterly", org_id=org.id, detail=f"{year} {cohort}")
        s.commit()
    click.echo(figures.to_csv(table) if fmt == "csv" else figures.to_text(table), nl=False)


@report_group.command("risk-factors")
@click.option("--org", "org_slug", required=True)
@click.option("--from", "start", required=True)
@click.option("--to", "end", required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "text"]), default="text",
              show_default=True)
def risk_factors(org_slug: str, start: str, end: str, fmt: str) -> None:
    """Risk factors recorded in conversations held in the period, largest first."""
    lo, hi = _period(start, end)
    with session_with_keys() as s:
        org = _org(s, org_slug)
        counts = figures.risk_factor_counts(datasets.held_facts(s, org, lo, hi), lo, hi,
                                            org.setting("extra_risk_factors"))
        audit.record(s, "report_risk_factors", org_id=org.id, detail=f"{lo} to {hi}")
        s.commit()
    click.echo(figures.risk_factors_to_csv(counts) if fmt == "csv"
               else figures.risk_factors_to_text(counts), nl=False)
