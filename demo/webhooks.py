"""The demo's webhook receiver: `ghl-webhooks serve` on a free loopback port, trusting the sandbox's key.

The sandbox signs its events with its own Ed25519 key (GHL's private key is not public); the receiver is
started with that public key and a fresh token, and the sandbox is told to deliver to it, as GHL's app
settings would. The source then reads deletions and child changes from it (`webhook_receiver`).
"""
from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import requests

EXE = Path(sys.executable).with_name("ghl-webhooks")


class Receiver:
    def __init__(self, sandbox, work_dir: Path):
        self.sandbox = sandbox
        self.dir = Path(work_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.token = secrets.token_hex(24)
        (self.dir / "ghl-ed25519.pem").write_text(sandbox.webhook_keys()["ed25519"])
        token_file = self.dir / "token"
        token_file.write_text(self.token)
        token_file.chmod(0o600)
        self.log = open(self.dir / "receiver.log", "ab")
        self.proc = subprocess.Popen(
            [str(EXE), "serve", "--port", "0", "--location", sandbox.location_id, "--public-key-file",
             str(self.dir / "ghl-ed25519.pem"), "--token-file", str(token_file), "--db",
             str(self.dir / "events.sqlite"), "--log-level", "warning"],
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()
        found = re.search(r"listening on (http://[^/\s]+)", line)
        if not found:
            raise SystemExit(f"ghl-webhooks did not start: {line.strip()} (log: {self.dir / 'receiver.log'})")
        self.url = found.group(1)
        self._wait_healthy()

    def deliver(self) -> None:
        """From now on the sandbox sends its events here (GHL: the app's webhook URL)."""
        self.sandbox.register_webhook(self.url + "/webhooks/ghl")

    def _wait_healthy(self) -> None:
        end = time.time() + 30
        while time.time() < end:
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise SystemExit(f"ghl-webhooks is not answering (log: {self.dir / 'receiver.log'})")

    def source_setting(self) -> dict:
        return {"url": self.url, "token": self.token}

    def settle(self, timeout: float = 60) -> dict:
        """Wait until the sandbox has delivered every event; its counters."""
        end = time.time() + timeout
        while time.time() < end:
            w = self.sandbox.stats()["webhooks"]
            if w["pending"] == 0:
                return w
            time.sleep(0.1)
        return self.sandbox.stats()["webhooks"]

    def stored(self) -> int:
        r = requests.get(self.url + "/stats", headers={"Authorization": f"Bearer {self.token}"}, timeout=10)
        return r.json()["counts"]["stored"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.stdout.close()
        self.log.close()

    def __enter__(self) -> "Receiver":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
