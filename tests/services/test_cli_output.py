"""`rhc` prints its answer on stdout and only real problems on stderr: an operator's
`rhc report ... > figures.csv 2>&1` must be the figures alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RHC = str(Path(sys.executable).parent / "rhc")


def _rhc(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RHC_")}
    env["RHC_INSTANCE_PATH"] = str(instance)
    return subprocess.run([RHC, *args], env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_commands_write_nothing_but_problems_to_stderr(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    first = _rhc(instance, "init")
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    again = _rhc(instance, "init")  # the schema is checked again: still quiet
    assert again.returncode == 0 and again.stderr == ""
    listed = _rhc(instance, "keys", "list")
    assert listed.returncode == 0 and listed.stderr == ""
    assert "(active)" in listed.stdout
    wrong = _rhc(instance, "orgs", "create", "Bad Slug", "--name", "Harbourside")
    assert wrong.returncode != 0 and wrong.stderr.strip()  # a real problem does reach stderr
