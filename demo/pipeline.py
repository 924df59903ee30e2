"""The connectors as Airbyte runs them: separate processes speaking the Airbyte protocol.

- `check()`: `<connector> check --config FILE`, the CONNECTION_STATUS it answers.
- `write_export()`: `destination-ghl-contacts write --config --catalog`, the export piped on stdin as RECORD
  and STATE messages, its stdout read as it comes (STATE echoes, LOG lines, TRACE errors).
- Reading GHL back goes through PyAirbyte (see `warehouse.py`), which runs `source-ghl-contacts read` itself.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable
from pathlib import Path

from . import airbyte_feed
from .progress import WriteProgress
from .rankr_export import STREAMS, read_manifest

SOURCE = "source-ghl-contacts"
DESTINATION = "destination-ghl-contacts"
# The destination reports each rejected record as a WARN LOG line, and its counts in one INFO line at the end:
#   Rejected record: stream=contacts key=rk_c_000301 reason=email: is required
#   Write summary: contacts: created=20 updated=0 unchanged=0 rejected=3; tasks: ...
REJECTED = re.compile(r"Rejected record: stream=(?P<stream>\S+) key=(?P<key>\S+) reason=(?P<reason>.*)", re.DOTALL)
SUMMARY = re.compile(r"^Write summary: (?P<body>.*)$", re.DOTALL)
COUNT = re.compile(r"(\w+)=(\d+)")


def executable(name: str) -> Path | None:
    """The connector's console script: $SOURCE_GHL_CONTACTS_EXE / $DESTINATION_GHL_CONTACTS_EXE when set (to try
    another build), else the one next to this interpreter (the project venv), else the one on PATH."""
    override = os.environ.get(name.upper().replace("-", "_") + "_EXE")
    if override:
        return Path(override)
    here = Path(sys.executable).parent / name
    if here.exists():
        return here
    found = shutil.which(name)
    return Path(found) if found else None


@dataclass
class CheckResult:
    ok: bool
    message: str


def check(exe: Path, config_path: Path, on_config_change: Callable[[dict], None] | None = None) -> CheckResult:
    """A check may rotate a single-use OAuth refresh token (when the stored access token has expired): its
    CONTROL message goes to `on_config_change` at once, as for every other command."""
    proc = subprocess.run([str(exe), "check", "--config", str(config_path)], capture_output=True, text=True,
                          timeout=300)
    for msg in _messages(proc.stdout.splitlines()):
        if msg.get("type") == "CONTROL" and on_config_change:
            on_config_change(msg["control"]["connectorConfig"]["config"])
        if msg.get("type") == "CONNECTION_STATUS":
            status = msg["connectionStatus"]
            return CheckResult(status.get("status") == "SUCCEEDED", status.get("message") or "")
        if msg.get("type") == "TRACE" and msg["trace"].get("type") == "ERROR":
            return CheckResult(False, msg["trace"]["error"].get("message") or "")
    return CheckResult(False, f"{exe.name} check exited with {proc.returncode} and no status: "
                              f"{proc.stderr.strip()[-500:]}")


@dataclass
class WriteResult:
    exit_code: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    confirmed: dict[str, int] = field(default_factory=dict)
    rejections: list[dict] = field(default_factory=list)  # {"stream", "key", "reason"}
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # object -> {"created": n, ...}
    summary_lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.errors


def write_export(exe: Path, config_path: Path, export_dir: Path, work_dir: Path,
                 on_config_change=None) -> WriteResult:
    """Pipe the export into the destination the way Airbyte would; keep its whole output in work_dir."""
    catalog = airbyte_feed.write_catalog(work_dir / "destination_catalog.json")
    totals = {s: read_manifest(export_dir)["counts"][s] for s in STREAMS}
    result = WriteResult(sent=dict.fromkeys(STREAMS, 0), confirmed=dict.fromkeys(STREAMS, 0))
    out_log = open(work_dir / "destination_write.jsonl", "w", encoding="utf-8")
    err_log = open(work_dir / "destination_write.stderr", "w", encoding="utf-8")
    proc = subprocess.Popen([str(exe), "write", "--config", str(config_path), "--catalog", str(catalog)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err_log, text=True, bufsize=1)
    progress = WriteProgress(totals)
    feeder = threading.Thread(target=_feed, args=(proc, export_dir, progress, result), daemon=True)
    with progress.shown():
        feeder.start()
        for line in proc.stdout:
            # a CONTROL message carries the whole config, secrets included: keep it out of the log file
            out_log.write('{"type": "CONTROL", "redacted": true}\n' if '"CONTROL"' in line else line)
            for msg in _messages([line]):
                _on_output(msg, result, progress)
                if msg.get("type") == "CONTROL" and on_config_change:
                    on_config_change(msg["control"]["connectorConfig"]["config"])
        feeder.join()
        result.exit_code = proc.wait()
    out_log.close()
    err_log.close()
    if result.exit_code and not result.errors:
        tail = (work_dir / "destination_write.stderr").read_text(errors="replace").strip()[-800:]
        result.errors.append(f"{DESTINATION} exited with {result.exit_code}: {tail}")
    return result


def _feed(proc: subprocess.Popen, export_dir: Path, progress: WriteProgress, result: WriteResult) -> None:
    try:
        for stream, n, msg in airbyte_feed.messages(export_dir):
            proc.stdin.write(json.dumps(msg) + "\n")
            if msg["type"] == "RECORD":
                result.sent[stream] = n
                progress.on_sent(stream, n)
        proc.stdin.close()
    except BrokenPipeError:
        result.errors.append(f"{DESTINATION} stopped reading its input")


def _on_output(msg: dict, result: WriteResult, progress: WriteProgress) -> None:
    kind = msg.get("type")
    if kind == "STATE":
        stream_state = msg["state"].get("stream") or {}
        name = (stream_state.get("stream_descriptor") or {}).get("name")
        position = (stream_state.get("stream_state") or {}).get("position")
        if name in result.confirmed and isinstance(position, int):
            result.confirmed[name] = position
            progress.on_confirmed(name, position)
    elif kind == "LOG":
        text = msg["log"].get("message", "")
        rejected, summary = REJECTED.match(text), SUMMARY.match(text)
        if rejected:
            result.rejections.append(rejected.groupdict())
        elif summary:
            result.summary_lines.append(text)
            for part in summary["body"].split(";"):
                name, _, counts = part.strip().partition(":")
                result.outcomes[name] = {k: int(v) for k, v in COUNT.findall(counts)}
    elif kind == "TRACE" and msg["trace"].get("type") == "ERROR":
        result.errors.append(msg["trace"]["error"].get("message", "error without a message"))


def _messages(lines):
    for line in lines:
        line = line.strip()
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue
