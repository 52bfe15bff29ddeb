"""`make lint`: ruff over the code, the layers' import rules (import-linter, contracts in
pyproject.toml), the sizes of modules and functions (tools/sizes.py), bandit over the app,
pip-audit over the installed packages.

Run as `python -m tools.lint`. Bandit reports medium and high findings; one passes only if it
is in the allow-list below, with its reason (`# nosec` comments are ignored, so an exception is
made here or not at all). pip-audit is skipped, saying why, only when its vulnerability data
cannot be reached (CI reaches the package registries but not every advisory service)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tools import sizes

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's bin

# (bandit test id, file) -> why it is acceptable. One line each; nothing else passes.
BANDIT_ALLOWED: dict[tuple[str, str], str] = {
    ("B404", "rhc_app/services/backup/postgres.py"): "subprocess runs pg_dump/pg_restore only, never a shell",
    ("B603", "rhc_app/services/backup/postgres.py"):
        "fixed argv: tool path, fixed flags, the operator's own file and DB URL",
}
NETWORK_TROUBLE = ("ConnectionError", "ConnectTimeout", "ReadTimeout", "Max retries exceeded",
                   "Failed to establish", "Temporary failure in name resolution",
                   "Name or service not known", "Network is unreachable", "SSLError", "ProxyError")


def _run(*argv: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / argv[0]), *argv[1:]], cwd=ROOT, capture_output=True,  # noqa: S603
                          text=True, timeout=timeout, check=False)


def ruff() -> str | None:
    done = _run("ruff", "check", "rhc_app", "tests", "bench", "tools", timeout=120)
    return None if done.returncode == 0 else done.stdout + done.stderr


def layers() -> str | None:
    done = _run("lint-imports", "--no-cache", timeout=120)
    return None if done.returncode == 0 else done.stdout[-4000:] + done.stderr


def bandit() -> str | None:
    done = _run("bandit", "-r", "rhc_app", "-ll", "--ignore-nosec", "-f", "json", "-q", timeout=120)
    report = json.loads(done.stdout)
    if report["errors"]:
        return f"bandit could not read: {report['errors']}"
    unexplained = [f"{r['test_id']} {Path(r['filename']).as_posix()}:{r['line_number']} "
                   f"[{r['issue_severity']}] {r['issue_text']}" for r in report["results"]
                   if (r["test_id"], Path(r["filename"]).as_posix()) not in BANDIT_ALLOWED]
    return "\n".join(unexplained) or None


def pip_audit() -> str | None:
    try:  # the editable app itself is not on PyPI: --skip-editable
        done = _run("pip-audit", "--progress-spinner", "off", "--skip-editable", "--format", "json",
                    timeout=60)
    except subprocess.TimeoutExpired:
        print("pip-audit: skipped, its vulnerability data could not be reached within 60 s")
        return None
    try:
        report = json.loads(done.stdout)
    except ValueError:
        message = (done.stderr or done.stdout).strip()
        if any(word in message for word in NETWORK_TROUBLE):
            print(f"pip-audit: skipped, its data could not be reached: {message.splitlines()[-1]}")
            return None
        return f"pip-audit failed (exit {done.returncode}): {message[-2000:]}"
    vulnerable = [f"{d['name']} {d['version']}: " + ", ".join(
        f"{v['id']} (fixed in {', '.join(v.get('fix_versions') or ['no release yet'])})" for v in d["vulns"])
        for d in report["dependencies"] if d.get("vulns")]
    if len(report["dependencies"]) < 20:
        return "pip-audit looked at too few packages to mean anything"
    return "\n".join(vulnerable) or None


def main() -> int:
    failed = False
    for name, check in (("ruff", ruff), ("import layers", layers), ("sizes", sizes.problems),
                        ("bandit", bandit), ("pip-audit", pip_audit)):
        problem = check()
        print(f"{name}: {'clean' if problem is None else 'FAILED'}")
        if problem:
            print(problem)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
