"""Round trip: what the destination writes into GHL, the source reads back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
import sys

import pytest

from ghl_sandbox.process import SandboxProcess

from . import harness
from .harness import config, run, sample_lines

SOURCE = Path(sys.executable).with_name("source-ghl-contacts")


@pytest.mark.skipif(not SOURCE.exists() and not shutil.which("source-ghl-contacts"),
                    reason="source-ghl-contacts is not installed")
def test_the_source_reads_back_what_the_destination_wrote():
    from integration_tests.source.harness import catalog, pit_config, run_source

    with SandboxProcess(seed=9, **harness.FAST) as sb:
        written = run("write", config(sb), sample_lines())
        assert written.returncode == 0
        dump = sb.dump()
        read = run_source("read", pit_config(sb), catalog("contacts", "tasks", "notes", incremental=False))
    assert read.returncode == 0, read.stderr[-2000:]
    assert sorted(c["id"] for c in read.records["contacts"]) == sorted(c["id"] for c in dump["contacts"])
    markers = lambda items: sorted(re.findall(r"\[rankr:(rk_\w+)\]", " ".join(i.get("body") or "" for i in items)))  # noqa: E731
    assert markers(read.records["tasks"]) == harness.marked(dump, "tasks")
    assert markers(read.records["notes"]) == harness.marked(dump, "notes")
    emails = {c.get("email") for c in read.records["contacts"]}
    assert {r["email"] for r in _contact_records() if "@" in (r.get("email") or "") and r.get("lastName")} <= emails


def _contact_records():
    import json

    return [json.loads(line)["record"]["data"] for line in sample_lines()
            if json.loads(line)["type"] == "RECORD" and json.loads(line)["record"]["stream"] == "contacts"]
