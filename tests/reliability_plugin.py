"""Counts for the reliability battery, printed once at the end of the run.

Test modules register it with ``pytest_plugins = ["tests.reliability_plugin"]`` and call
:func:`fuzz_input` once per generated input."""

from __future__ import annotations

from typing import Any

STATS = {"inputs": 0, "server_errors": 0, "partial_writes": 0, "accepted": 0}


def fuzz_input(*, server_error: bool = False, partial_write: bool = False,
               accepted: bool = False) -> None:
    STATS["inputs"] += 1
    STATS["accepted"] += int(accepted)
    STATS["server_errors"] += int(server_error)
    STATS["partial_writes"] += int(partial_write)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if STATS["inputs"]:
        terminalreporter.write_line(
            f"fuzz: {STATS['inputs']} inputs, {STATS['server_errors']} server errors, "
            f"{STATS['partial_writes']} partial writes ({STATS['accepted']} accepted, each "
            "checked against what was sent)")
