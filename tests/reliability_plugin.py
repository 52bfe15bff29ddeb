"""One summary line per area of the reliability battery, printed once at the end of the run.

Registered for every test by ``tests/conftest.py``. Fuzz tests call :func:`fuzz_input` once
per generated input; the other areas call :func:`report` with their line when they pass."""

from __future__ import annotations

from typing import Any

STATS = {"inputs": 0, "server_errors": 0, "partial_writes": 0, "accepted": 0}
LINES: dict[str, str] = {}
ATTACKS: set[str] = set()  # findings of the attack issue whose reproduction was refused


def fuzz_input(*, server_error: bool = False, partial_write: bool = False,
               accepted: bool = False) -> None:
    STATS["inputs"] += 1
    STATS["accepted"] += int(accepted)
    STATS["server_errors"] += int(server_error)
    STATS["partial_writes"] += int(partial_write)


def report(area: str, line: str) -> None:
    """The figures of one area; a later call for the same area (a parametrised test) adds up
    only if the caller passes the running total."""
    LINES[area] = line


def attack_refused(finding: str) -> None:
    """Called by an attack test once its reproduction has been tried and refused. A finding
    whose attack succeeds fails its test, so the line only ever counts refusals."""
    ATTACKS.add(finding)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if STATS["inputs"]:
        LINES["fuzz"] = (
            f"{STATS['inputs']:,} inputs, {STATS['server_errors']} server errors, "
            f"{STATS['partial_writes']} partial writes ({STATS['accepted']:,} accepted, each "
            "checked against what was sent)")
    if ATTACKS:
        LINES["attacks"] = f"{len(ATTACKS)} reproductions, 0 succeed"
    if LINES:
        terminalreporter.section("reliability battery")
        for area in sorted(LINES):
            terminalreporter.write_line(f"{area}: {LINES[area]}")
