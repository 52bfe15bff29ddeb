"""Run a command against a throwaway PostgreSQL server: `python -m tests.pgserver CMD...`.

Starts a fresh cluster in a temporary folder on a free loopback port, exports
RHC_TEST_DATABASE_URL for the command, and always stops and removes the cluster afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator


def _pg_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("PostgreSQL server binaries not found: install Debian's postgresql package")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    pgbin = _pg_bin()
    data = tempfile.mkdtemp(prefix="rhc-pg-")
    sockdir = tempfile.mkdtemp(prefix="rhc-pgsock-")
    if os.geteuid() == 0:
        uid = pwd.getpwnam("postgres").pw_uid
        os.chown(data, uid, -1)
        os.chown(sockdir, uid, -1)
    port = _free_port()
    run = dict(check=True, stdout=subprocess.DEVNULL)
    try:
        subprocess.run(_as_postgres([f"{pgbin}/initdb", "-D", data, "-U", "postgres", "-A",
                                     "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       **run)
        subprocess.run(_as_postgres([f"{pgbin}/pg_ctl", "-D", data, "-l", f"{data}/log", "-w",
                                     "-o", f"-c listen_addresses=127.0.0.1 -p {port} "
                                     f"-k {sockdir} -c fsync=off -c max_connections=200",
                                     "start"]), **run)
        subprocess.run(_as_postgres([f"{pgbin}/createdb", "-h", "127.0.0.1", "-p", str(port),
                                     "-U", "postgres", "rhc_test"]), **run)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/rhc_test"
    finally:
        subprocess.run(_as_postgres([f"{pgbin}/pg_ctl", "-D", data, "-m", "immediate", "-w",
                                     "stop"]), check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(sockdir, ignore_errors=True)


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m tests.pgserver COMMAND [ARGS...]")
    with throwaway_server() as url:
        env = dict(os.environ, RHC_TEST_DATABASE_URL=url)
        print(f"PostgreSQL test server at {url.split('@')[1]}", flush=True)
        return subprocess.call(sys.argv[1:], env=env)


if __name__ == "__main__":
    sys.exit(main())
