"""Peak memory (max RSS) of each connector job, the basis of `resourceRequirements` in both metadata.yaml files.

    .venv/bin/python packaging/measure_memory.py [--contacts 2000]

Starts a sandbox, writes configs with `ghl-sandbox configs`, runs each Airbyte job type through the connectors'
console scripts (spec, check, discover, a full read of every stream; spec, check and a write of --contacts
contacts with a task and a note each) and prints each process's peak resident memory from wait4(2). The
connectors stream records (memory stays flat with volume, see docs/performance.md), so a few thousand
contacts show the peak of a sync of any size.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ghl_sandbox.configs import connector_configs
from ghl_sandbox.process import SandboxProcess

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SOURCE_CATALOG = ROOT / "integration_tests" / "configured_catalog.json"
DESTINATION_CATALOG = ROOT / "docs" / "examples" / "destination" / "configured_catalog.json"


def peak_mb(args: list[str], stdin_path: Path | None = None) -> float:
    """Run args to the end; its peak RSS in MB (ru_maxrss is in KiB on Linux)."""
    with open(stdin_path or os.devnull, "rb") as stdin:
        process = subprocess.Popen(args, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args[:2]))} exited {process.returncode}")
    return usage.ru_maxrss / 1024


def records(contacts: int):
    for n in range(1, contacts + 1):
        key = f"{n:06d}"
        yield "contacts", {"rankrId": f"rk_c_{key}", "email": f"person.{key}@example.com", "firstName": "Pat",
                           "lastName": f"Person {key}"}
        yield "tasks", {"rankrId": f"rk_t_{key}", "contactRankrId": f"rk_c_{key}", "title": "Call back",
                        "dueDate": "2026-12-03T10:00:00+00:00", "status": "open"}
        yield "notes", {"rankrId": f"rk_n_{key}", "contactRankrId": f"rk_c_{key}", "body": "Met at the fair."}


def write_input(path: Path, contacts: int) -> None:
    with path.open("w") as f:
        for stream, data in records(contacts):
            f.write(json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data,
                                                             "emitted_at": 1767225600000}}) + "\n")
        f.write(json.dumps({"type": "STATE", "state": {"type": "GLOBAL", "global": {
            "shared_state": {"position": contacts}, "stream_states": []}}}) + "\n")


def measure(contacts: int) -> dict[str, dict[str, float]]:
    with SandboxProcess(seed=11, contacts=contacts, rate_limit_burst=1000) as sandbox, \
            tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        paths = {}
        for kind, config in connector_configs(sandbox.credentials).items():
            config["requests_per_10_seconds"] = 1000  # the most the spec allows
            paths[kind] = folder / f"{kind}.json"
            paths[kind].write_text(json.dumps(config))
        write_input(folder / "input.jsonl", contacts)
        source, destination = str(BIN / "source-ghl-contacts"), str(BIN / "destination-ghl-contacts")
        return {
            "source": {
                "get_spec": peak_mb([source, "spec"]),
                "check_connection": peak_mb([source, "check", "--config", paths["source"]]),
                "discover_schema": peak_mb([source, "discover", "--config", paths["source"]]),
                "sync": peak_mb([source, "read", "--config", paths["source"], "--catalog", SOURCE_CATALOG]),
            },
            "destination": {
                "get_spec": peak_mb([destination, "spec"]),
                "check_connection": peak_mb([destination, "check", "--config", paths["destination"]]),
                "sync": peak_mb([destination, "write", "--config", paths["destination"], "--catalog",
                                 DESTINATION_CATALOG], stdin_path=folder / "input.jsonl"),
            },
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=2000)
    peaks = measure(parser.parse_args().contacts)
    for kind, jobs in peaks.items():
        for job, mb in jobs.items():
            print(f"{kind:12} {job:17} {mb:7.1f} MB")


if __name__ == "__main__":
    main()
