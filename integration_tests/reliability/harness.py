"""Run the real connector entry points against a sandbox, keep every byte they print, and scan it for secrets.

Every run of `source-ghl-contacts` / `destination-ghl-contacts` in the reliability suite goes through `run`,
`run_source` or `run_destination` (or `start` for runs that get killed). Each captured stdout/stderr is scanned
at once against every secret the suite knows (sandbox tokens, client secrets, refresh tokens, minted tokens,
tokens carried by CONTROL messages) and against the shapes of GHL credentials; a leak fails the test that
caused it. The same output is kept for one last scan at the end of the session (`SECRETS.rescan`), when
secrets learned later in the session are known too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import requests

from integration_tests.messages import AirbyteMessages, parse_messages

from .figures import FIGURES

SOURCE = str(Path(sys.executable).with_name("source-ghl-contacts"))
DESTINATION = str(Path(sys.executable).with_name("destination-ghl-contacts"))
STREAMS = ("contacts", "tasks", "notes", "appointments", "custom_fields")
CHILDREN = ("tasks", "notes", "appointments")
CURSORS = {"contacts": "dateUpdated", "tasks": "dueDate", "notes": "dateAdded", "appointments": "dateUpdated"}

# GHL credential shapes: a Private Integration token and a JWT access token. Any of these in the output is a
# leak even when the suite never learned its exact value.
_CREDENTIAL_SHAPES = re.compile(r"pit-[0-9a-f]{8}-[0-9a-f-]{20,}|eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")
_SECRET_KEYS = ("token", "refresh_token", "access_token", "client_secret")


class SecretRegistry:
    """Every secret value seen in the session, and every captured output, scanned for all of them."""

    def __init__(self) -> None:
        self._values: set = set()
        self._outputs: List[tuple] = []  # (label, text)
        self._lock = threading.Lock()

    def add(self, *values: Optional[str]) -> None:
        with self._lock:
            self._values.update(v for v in values if isinstance(v, str) and len(v) >= 8)

    def add_sandbox(self, sandbox: Any) -> None:
        creds = sandbox.credentials
        self.add(*creds["private_integration_tokens"].values(), *creds["oauth"].values())
        self.add(creds["oauth"]["client_secret"], creds["oauth"]["refresh_token"])
        for pair in creds.get("location_tokens", {}).values():
            self.add(*pair.values())

    def add_config(self, config: Any) -> None:
        credentials = config.get("credentials") if isinstance(config, dict) else None
        if isinstance(credentials, dict):
            self.add(*(credentials.get(key) for key in _SECRET_KEYS))

    @property
    def count(self) -> int:
        return len(self._values)

    def leaks(self, text: str) -> List[str]:
        """What in `text` is a secret: known values (shown by their first 6 characters) and credential shapes."""
        with self._lock:
            values = list(self._values)
        found = [value[:6] + "…" for value in values if value in text]
        found += [match[:6] + "…" for match in _CREDENTIAL_SHAPES.findall(text)]
        return found

    def keep(self, label: str, text: str, final_scan: bool = True) -> List[str]:
        """Keep `text` for the final scan (unless told not to) and return what it leaks now."""
        if final_scan:
            with self._lock:
                self._outputs.append((label, text))
        leaks = self.leaks(text)
        FIGURES.add("outputs_scanned", 1)
        FIGURES.add("output_bytes_scanned", len(text))
        FIGURES.add("secrets_found", len(leaks))
        return leaks

    def rescan(self) -> Dict[str, List[str]]:
        with self._lock:
            outputs = list(self._outputs)
        return {label: leaks for label, text in outputs if (leaks := self.leaks(text))}


SECRETS = SecretRegistry()


@dataclass
class Run(AirbyteMessages):
    """One connector process: its Airbyte messages, exit code and stderr."""

    messages: List[Dict[str, Any]]
    returncode: int
    stderr: str
    stdout: str = ""

    def logs(self, level: Optional[str] = None) -> List[str]:
        return [m["log"]["message"] for m in self.of_type("LOG") if level in (None, m["log"]["level"])]

    @property
    def rejections(self) -> List[str]:
        return [text for text in self.logs("WARN") if text.startswith("Rejected record")]

    @property
    def controls(self) -> List[Dict[str, Any]]:
        return [m["control"] for m in self.of_type("CONTROL")]

    def tail(self, n: int = 3000) -> str:
        return (self.stdout[-n:] + "\n--- stderr ---\n" + self.stderr[-n:])




def _without_controls(stdout: str) -> str:
    """CONTROL messages carry the new config, secrets included, on purpose: Airbyte stores it. Nothing else may."""
    return "\n".join(line for line in stdout.splitlines() if '"type": "CONTROL"' not in line
                     and '"type":"CONTROL"' not in line)


def learn_and_scan(label: str, stdout: str, stderr: str, final_scan: bool = True) -> None:
    """Learn the secrets CONTROL messages carry, then assert that nothing else printed any secret.

    `final_scan=False` keeps the output out of the session's last scan: for a leak a test expects (xfail)."""
    for message in parse_messages(stdout):
        if message.get("type") == "CONTROL":
            SECRETS.add_config(message["control"].get("connectorConfig", {}).get("config", {}))
    leaks = SECRETS.keep(label, _without_controls(stdout) + "\n" + stderr, final_scan)
    assert not leaks, f"{label}: secrets in the output: {leaks}"


def config_files(folder: str, **contents: Any) -> List[str]:
    args = []
    for name, content in contents.items():
        if content is None:
            continue
        path = os.path.join(folder, name + ".json")
        with open(path, "w") as handle:
            handle.write(content if isinstance(content, str) else json.dumps(content))
        args += ["--" + name, path]
    return args


def run(script: str, command: str, config: Any = None, *, catalog: Any = None, state: Any = None,
        stdin: Optional[Iterable[str]] = None, timeout: float = 240) -> Run:
    """Run one connector command to its end. `config` may be a dict or raw file text (for broken files)."""
    SECRETS.add_config(config)
    with tempfile.TemporaryDirectory(prefix="reliability-") as folder:
        args = [script, command] + config_files(folder, config=config, catalog=catalog, state=state)
        done = subprocess.run(args, input="".join(line + "\n" for line in stdin or []), capture_output=True,
                              text=True, timeout=timeout)
    FIGURES.add("connector_runs", 1)
    learn_and_scan(f"{Path(script).name} {command}", done.stdout, done.stderr)
    return Run(parse_messages(done.stdout), done.returncode, done.stderr, done.stdout)


def run_source(command: str, config: Any, catalog: Any = None, state: Any = None, timeout: float = 240) -> Run:
    return run(SOURCE, command, config, catalog=catalog, state=state, timeout=timeout)


def run_destination(command: str, config: Any, lines: Optional[List[str]] = None, timeout: float = 240) -> Run:
    from .rankr import CATALOG

    return run(DESTINATION, command, config, catalog=CATALOG if command == "write" else None, stdin=lines,
               timeout=timeout)


# -- configs and catalogs -------------------------------------------------------------------------------------

def pit_config(sandbox: Any, token: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
    SECRETS.add_sandbox(sandbox)
    creds = sandbox.credentials
    return {
        "credentials": {"auth_type": "private_integration_token",
                        "token": token or creds["private_integration_tokens"]["readwrite"]},
        "location_id": creds["location_id"],
        "api_base_url": creds["base_url"],
        **extra,
    }


def oauth_config(sandbox: Any, refresh_token: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
    SECRETS.add_sandbox(sandbox)
    oauth = sandbox.credentials["oauth"]
    return {
        "credentials": {"auth_type": "oauth2.0", "client_id": oauth["client_id"],
                        "client_secret": oauth["client_secret"],
                        "refresh_token": refresh_token or oauth["refresh_token"]},
        "location_id": sandbox.location_id,
        "api_base_url": sandbox.base_url,
        **extra,
    }


def calendar_id(sandbox: Any) -> str:
    calendars = requests.get(sandbox.base_url + "/calendars/", params={"locationId": sandbox.location_id},
                             headers=sandbox.headers(version="2021-04-15"), timeout=30).json()["calendars"]
    return calendars[0]["id"]


def source_catalog(*streams: str, incremental: bool = True) -> Dict[str, Any]:
    configured = []
    for name in streams or STREAMS:
        cursor = CURSORS.get(name) if incremental else None
        configured.append({
            "stream": {"name": name, "json_schema": {}, "supported_sync_modes": ["full_refresh", "incremental"]},
            "sync_mode": "incremental" if cursor else "full_refresh",
            "destination_sync_mode": "append_dedup" if cursor else "overwrite",
            "cursor_field": [cursor] if cursor else [],
            "primary_key": [["id"]],
        })
    return {"streams": configured}


def refresh(sandbox: Any, refresh_token: str) -> requests.Response:
    """Spend a refresh token at the sandbox's `/oauth/token`, as GHL would be asked."""
    oauth = sandbox.credentials["oauth"]
    response = requests.post(sandbox.base_url + "/oauth/token", timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": oauth["client_id"],
        "client_secret": oauth["client_secret"], "user_type": "Location"})
    if response.status_code == 200:
        SECRETS.add(response.json().get("access_token"), response.json().get("refresh_token"))
    return response


FAULT_KINDS = ("429", "500", "502", "503", "504", "stall", "drop", "truncate")
NO_FAULTS = {f"fault_{kind}": 0 for kind in FAULT_KINDS}


def mixed_faults(total: float = 0.10) -> Dict[str, float]:
    """`total` spread evenly over every transient fault the sandbox can inject."""
    return {f"fault_{kind}": round(total / len(FAULT_KINDS), 6) for kind in FAULT_KINDS}


def faults_injected(sandbox: Any) -> Dict[str, int]:
    injected = sandbox.stats()["faults_injected"]
    for kind, n in injected.items():
        FIGURES.add(f"faults_injected.{kind}", n)
    FIGURES.add("faults_injected_total", sum(injected.values()))
    return injected
