"""Run the real `ghl-webhooks serve` console script on a free loopback port, and talk to it over HTTP."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import requests

BIN = os.path.join(os.path.dirname(sys.executable), "ghl-webhooks")
TOKEN = "receiver-token-for-tests-0123456789"


class ReceiverProcess:
    def __init__(self, public_key_pem: str, locations: list[str], *, workdir: str | None = None,
                 extra: list[str] = (), env: dict | None = None):
        self.dir = workdir or tempfile.mkdtemp(prefix="ghl-webhooks-")
        self.key_file = os.path.join(self.dir, "ghl-ed25519.pem")
        with open(self.key_file, "w") as f:
            f.write(public_key_pem)
        self.token_file = os.path.join(self.dir, "token")
        with open(self.token_file, "w") as f:
            f.write(TOKEN)
        self.db = os.path.join(self.dir, "events.sqlite")
        self.args = [BIN, "serve", "--port", "0", "--public-key-file", self.key_file, "--token-file",
                     self.token_file, "--db", self.db, "--log-level", "warning"]
        for loc in locations:
            self.args += ["--location", loc]
        self.args += list(extra)
        self.env = dict(os.environ, **(env or {}))
        self.log_path = os.path.join(self.dir, "receiver.log")
        self.proc: subprocess.Popen | None = None
        self.base_url = ""

    def start(self, timeout: float = 30) -> "ReceiverProcess":
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self._log, env=self.env)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"listening on (http://[^/\s]+)", line)
        if not m:
            self.proc.wait(timeout)
            raise RuntimeError(f"receiver did not start: {line!r} {self.log_tail()}")
        self.base_url = m.group(1)
        end = time.time() + timeout
        while time.time() < end:
            try:
                if requests.get(self.base_url + "/healthz", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"receiver not healthy: {self.log_tail()}")

    @property
    def url(self) -> str:
        return self.base_url + "/webhooks/ghl"

    def log_tail(self, n: int = 4000) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def auth(self) -> dict:
        return {"Authorization": f"Bearer {TOKEN}"}

    def worker_pid(self) -> int:
        return requests.get(self.base_url + "/healthz", timeout=10).json()["worker_pid"]

    def stats(self) -> dict:
        return requests.get(self.base_url + "/stats", headers=self.auth(), timeout=10).json()["counts"]

    def events(self, after: int = 0, location_id: str | None = None, limit: int = 1000) -> dict:
        params = {"after": after, "limit": limit}
        if location_id:
            params["location_id"] = location_id
        r = requests.get(self.base_url + "/events", params=params, headers=self.auth(), timeout=30)
        r.raise_for_status()
        return r.json()

    def all_events(self, location_id: str | None = None) -> list[dict]:
        out, cursor = [], 0
        while True:
            page = self.events(cursor, location_id)
            out += page["events"]
            cursor = page["cursor"]
            if not page["has_more"]:
                return out

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self._log.close()
        return self.proc.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
