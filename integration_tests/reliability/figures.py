"""The reliability suite's figures (faults injected, kills, records verified, secrets found, ...).

Tests add to `FIGURES` as they go; after each test the figures it added are appended as one JSON line to
`build/reliability-figures.jsonl`, tagged with the pytest run. `python -m integration_tests.reliability.figures`
prints the totals of the latest run (the numbers in docs/reliability.md come from there).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict

ROOT = Path(__file__).resolve().parents[2]
FIGURES_FILE = ROOT / "build" / "reliability-figures.jsonl"
# One id per pytest session, shared by every import of this module (the unit and integration suites import it
# under two names) and by pytest-xdist workers.
RUN_ID = os.environ.setdefault(
    "RELIABILITY_RUN_ID",
    os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}")


class Figures:
    def __init__(self) -> None:
        self._counts: Counter = Counter()
        self._lock = threading.Lock()

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self._counts[key] += n

    def take(self) -> Dict[str, int]:
        """The figures added since the last `take`."""
        with self._lock:
            counts, self._counts = dict(self._counts), Counter()
        return counts

    def append(self, test: str, counts: Dict[str, int], seconds: float, outcome: str) -> None:
        FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"run": RUN_ID, "test": test, "outcome": outcome, "seconds": round(seconds, 2),
                           "figures": counts, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        with open(FIGURES_FILE, "a") as handle:  # one write per line: safe across pytest-xdist workers
            handle.write(line + "\n")


FIGURES = Figures()


def totals(run_id: str | None = None) -> Dict[str, object]:
    """The summed figures of one run (default: the latest run in the file)."""
    lines = [json.loads(line) for line in FIGURES_FILE.read_text().splitlines() if line.strip()]
    run_id = run_id or lines[-1]["run"]
    mine = [line for line in lines if line["run"] == run_id]
    summed: Counter = Counter()
    for line in mine:
        summed.update(line["figures"])
    return {"run": run_id, "tests": len(mine), "passed": sum(line["outcome"] == "passed" for line in mine),
            "seconds": round(sum(line["seconds"] for line in mine), 1), "figures": dict(sorted(summed.items()))}


if __name__ == "__main__":
    print(json.dumps(totals(sys.argv[1] if len(sys.argv) > 1 else None), indent=2))
