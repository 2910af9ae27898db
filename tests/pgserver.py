"""A PostgreSQL server for the store's tests, started by the suite itself when pg_ctl is installed.

initdb in a temporary folder (as the `postgres` system user when the tests run as root, which
PostgreSQL refuses to be), trust authentication, a free port on 127.0.0.1 and the socket in
the same folder; stopped at the end of the session.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def pg_bin() -> Path | None:
    """The folder of pg_ctl and initdb (Debian keeps them out of PATH), or None."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


class Server:
    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="docgen-pg-"))
        self.data = self.folder / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.runas: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self.runas = ["runuser", "-u", "postgres", "--"]

    def run(self, *command: str) -> None:
        subprocess.run([*self.runas, *command], check=True, capture_output=True, cwd=self.folder)

    def start(self) -> str:
        self.run(str(self.binaries / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "docgen", "-E", "UTF8",
                 "--locale=C.UTF-8")
        self.run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.folder / "log"),
                 "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=400",
                 "start")
        return f"postgresql+psycopg://docgen@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self.run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
