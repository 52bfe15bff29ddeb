"""Static checks run as tests: ruff over the code, bandit over the app (medium and high severity;
a finding passes only if it is in the allow-list below, with its reason), and pip-audit over the
installed packages (skipped, saying why, when its vulnerability data cannot be reached)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability_plugin import report as report_line

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's bin

# (bandit test id, file) -> why it is acceptable. One line each; nothing else passes.
# `# nosec` comments are ignored (--ignore-nosec): an exception is made here or not at all.
STATIC: dict[str, str] = {}
BANDIT_ALLOWED: dict[tuple[str, str], str] = {
    ("B404", "rhc_app/backup_cli.py"): "subprocess runs pg_dump/pg_restore only, never a shell",
    ("B603", "rhc_app/backup_cli.py"): "fixed argv: tool path, fixed flags, the operator's own file and DB URL",
}
NETWORK_TROUBLE = ("ConnectionError", "ConnectTimeout", "ReadTimeout", "Max retries exceeded",
                   "Failed to establish", "Temporary failure in name resolution",
                   "Name or service not known", "Network is unreachable", "SSLError", "ProxyError")


def _static(check: str, result: str) -> None:
    STATIC[check] = result
    report_line("static checks", "; ".join(f"{k} {v}" for k, v in sorted(STATIC.items())))


def _run(*argv: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / argv[0]), *argv[1:]], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_ruff_passes():
    done = _run("ruff", "check", "rhc_app", "tests", "bench", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    _static("ruff", "clean")


def test_bandit_finds_nothing_unexplained():
    done = _run("bandit", "-r", "rhc_app", "-ll", "--ignore-nosec", "-f", "json", "-q", timeout=120)
    report = json.loads(done.stdout)
    assert not report["errors"], report["errors"]
    found = [(r["test_id"], str(Path(r["filename"]).as_posix()), r["line_number"], r["issue_severity"],
              r["issue_text"]) for r in report["results"]]
    unexplained = [f for f in found if (f[0], f[1]) not in BANDIT_ALLOWED]
    assert not unexplained, "\n".join(f"{t} {p}:{n} [{sev}] {text}" for t, p, n, sev, text in unexplained)
    _static("bandit", f"{len(found)} medium or high findings" + (", each explained in BANDIT_ALLOWED" if found else ""))


def test_pip_audit_finds_no_known_vulnerability():
    try:  # the editable app itself is not on PyPI: --skip-editable
        done = _run("pip-audit", "--progress-spinner", "off", "--skip-editable", "--format", "json",
                    timeout=60)
    except subprocess.TimeoutExpired:
        _static("pip-audit", "skipped: its vulnerability data could not be reached within 60 s")
        pytest.skip("pip-audit could not reach its vulnerability data within 60 s")
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = None
    if report is None:
        message = (done.stderr or done.stdout).strip()
        if any(word in message for word in NETWORK_TROUBLE):
            _static("pip-audit", "skipped: its vulnerability data could not be reached")
            pytest.skip(f"pip-audit could not reach its vulnerability data: {message.splitlines()[-1]}")
        pytest.fail(f"pip-audit failed (exit {done.returncode}): {message[-2000:]}")
    vulnerable = [f"{d['name']} {d['version']}: " + ", ".join(
        f"{v['id']} (fixed in {', '.join(v.get('fix_versions') or ['no release yet'])})" for v in d["vulns"])
        for d in report["dependencies"] if d.get("vulns")]
    assert not vulnerable, "known vulnerabilities:\n" + "\n".join(vulnerable)
    assert len(report["dependencies"]) > 20, "pip-audit looked at too few packages to mean anything"
    _static("pip-audit", f"{len(report['dependencies'])} packages, no known vulnerabilities")
