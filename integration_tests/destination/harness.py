"""Run the real `destination-ghl-contacts` console script against a sandbox, records on stdin."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from integration_tests.messages import AirbyteMessages

SCRIPT = str(Path(sys.executable).with_name("destination-ghl-contacts"))
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "rankr_export.jsonl"
CATALOG = FIXTURES / "configured_catalog.json"
# Fast sandboxes for tests: GHL's shapes and rules, a roomy budget.
FAST = dict(contacts=15, rate_limit_burst=2000)


def sample_lines() -> List[str]:
    return SAMPLE.read_text().splitlines()


def config(sandbox: Any, token: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
    creds = sandbox.credentials
    calendars = requests.get(creds["base_url"] + "/calendars/", params={"locationId": creds["location_id"]},
                             headers=sandbox.headers(version="2021-04-15"), timeout=30).json()["calendars"]
    return {
        "credentials": {"auth_type": "private_integration_token",
                        "token": token or creds["private_integration_tokens"]["readwrite"]},
        "location_id": creds["location_id"],
        "api_base_url": creds["base_url"],
        "requests_per_10_seconds": 1000,
        "request_timeout_seconds": 5,
        "default_calendar_id": calendars[0]["id"],
        **extra,
    }


@dataclass
class Result(AirbyteMessages):
    messages: List[Dict[str, Any]]
    returncode: int
    stderr: str

    def logs(self, level: Optional[str] = None) -> List[str]:
        return [m["log"]["message"] for m in self.of_type("LOG") if level in (None, m["log"]["level"])]

    @property
    def rejections(self) -> List[str]:
        return [text for text in self.logs("WARN") if text.startswith(("Rejected record", "Would reject"))]

    @property
    def summary(self) -> str:
        return next(text for text in self.logs("INFO") if "summary" in text)

    def last_state_position(self) -> int:
        states = self.of_type("STATE")
        return states[-1]["state"]["global"]["shared_state"]["position"] if states else 0


def _files(cfg: Dict[str, Any]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="dest-test-"))
    (folder / "config.json").write_text(json.dumps(cfg))
    return folder


def _parse(stdout: str) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def _catalog_file(folder: Path, catalog: Optional[Dict[str, Any]]) -> str:
    if catalog is None:
        return str(CATALOG)
    (folder / "catalog.json").write_text(json.dumps(catalog))
    return str(folder / "catalog.json")


def run(command: str, cfg: Dict[str, Any], lines: Optional[List[str]] = None, timeout: float = 240,
        catalog: Optional[Dict[str, Any]] = None) -> Result:
    """`catalog`: a configured catalog (default: fixtures/configured_catalog.json, the Rankr export's)."""
    folder = _files(cfg)
    args = [SCRIPT, command, "--config", str(folder / "config.json")]
    if command == "write":
        args += ["--catalog", _catalog_file(folder, catalog)]
    proc = subprocess.run(args, input="".join(line + "\n" for line in lines or []), capture_output=True, text=True,
                          timeout=timeout)
    return Result(_parse(proc.stdout), proc.returncode, proc.stderr)


def run_killed(cfg: Dict[str, Any], lines: List[str], after_states: int,
               catalog: Optional[Dict[str, Any]] = None) -> Result:
    """Start a write and SIGKILL it once it has echoed `after_states` STATE messages."""
    folder = _files(cfg)
    proc = subprocess.Popen([SCRIPT, "write", "--config", str(folder / "config.json"),
                             "--catalog", _catalog_file(folder, catalog)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    proc.stdin.write("".join(line + "\n" for line in lines))
    proc.stdin.close()
    seen, states = [], 0
    for line in proc.stdout:
        if line.startswith("{"):
            seen.append(json.loads(line))
            states += seen[-1]["type"] == "STATE"
        if states >= after_states:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=30)
    return Result(seen, proc.returncode, "")


def resume_lines(lines: List[str], position: int) -> List[str]:
    """What Airbyte sends again after a crash: every record after the last committed state."""
    out, n = [], 0
    for line in lines:
        message = json.loads(line)
        if message["type"] == "RECORD":
            n += 1
            if n <= position:
                continue
        elif n <= position:
            continue
        out.append(line)
    return out


def signature(dump: Dict[str, Any]) -> Dict[str, Any]:
    """What a sync wrote, without GHL's ids and timestamps: comparable across sandboxes and runs."""
    email_of = {c["id"]: c.get("email") or "" for c in dump["contacts"]}

    def rows(kind: str, fields: tuple) -> list:
        return sorted(tuple([email_of.get(item.get("contactId"), "")] + [str(item.get(f, "")) for f in fields])
                      for item in dump[kind])

    contacts = sorted((c.get("email") or "", str(c.get("firstName")), str(c.get("lastName")), str(c.get("phone")),
                       tuple(sorted(c.get("tags") or [])), str(c.get("companyName"))) for c in dump["contacts"])
    return {"contacts": contacts,
            "tasks": rows("tasks", ("title", "body", "dueDate", "completed")),
            "notes": rows("notes", ("body",)),
            "appointments": rows("appointments", ("calendarId", "title", "startTime", "endTime", "appointmentStatus"))}


def marked(dump: Dict[str, Any], kind: str) -> List[str]:
    """The Rankr ids found in the markers of GHL's tasks / notes / appointments, duplicates kept."""
    import re

    field = "notes" if kind == "appointments" else "body"
    return sorted(m for item in dump[kind] for m in re.findall(r"\[rankr:([A-Za-z0-9_-]+)\]", item.get(field) or ""))
