"""A throw-away PostgreSQL server from Debian's package (packaging/install-postgres.sh installs it).

initdb + pg_ctl into a temporary folder, listening on 127.0.0.1 on a free port. PostgreSQL refuses to run
as root, so as root it runs as the package's `postgres` user. Skips (saying why) only when the server
binaries are not installed and cannot be.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest


def _bin_dir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.bin = _bin_dir()
        if self.bin is None:
            pytest.skip("PostgreSQL server not installed (packaging/install-postgres.sh could not install it)")
        self.root = tempfile.mkdtemp(prefix="ghl-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and no 'postgres' user to run the server as")
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.user is not None:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> "PostgresServer":
        if not os.path.exists(self.data):
            self._run(f"{self.bin}/initdb", "-D", self.data, "-U", "ghl", "--auth=trust", "-E", "UTF8")
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "server.log"), "-w",
                  "-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                        "-c fsync=on", "start")
        return self

    def stop(self) -> None:
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=ghl dbname=postgres connect_timeout=5"

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
