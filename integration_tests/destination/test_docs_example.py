"""The destination doc's example (docs/examples/destination/: a configured catalog and RECORD/STATE lines),
fed exactly as shipped to the `destination-ghl-contacts write` console script, with the config that
`ghl-sandbox configs` writes: the valid records land in GHL, the bad one is rejected with one reason, and
both STATEs are echoed."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ghl_sandbox.process import SandboxProcess

from .harness import FAST, marked

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "destination"
BIN = Path(sys.executable).parent


def test_the_docs_example_writes_through_the_console_script(tmp_path):
    with SandboxProcess(seed=3, **FAST) as sandbox:
        (tmp_path / "credentials.json").write_text(json.dumps(sandbox.credentials))
        made = subprocess.run([str(BIN / "ghl-sandbox"), "configs", "--credentials", str(tmp_path / "credentials.json"),
                               "--out", str(tmp_path / "secrets")], capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        with (EXAMPLE / "messages.jsonl").open() as stdin:
            done = subprocess.run([str(BIN / "destination-ghl-contacts"), "write", "--config",
                                   str(tmp_path / "secrets" / "destination.json"), "--catalog",
                                   str(EXAMPLE / "configured_catalog.json")],
                                  stdin=stdin, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stderr[-3000:]
        messages = [json.loads(line) for line in done.stdout.splitlines()]
        dump = sandbox.dump()

    sent = [json.loads(line) for line in (EXAMPLE / "messages.jsonl").read_text().splitlines()]
    assert [m["state"] for m in messages if m["type"] == "STATE"] == [m["state"] for m in sent if m["type"] == "STATE"]
    rejections = [m["log"]["message"] for m in messages
                  if m["type"] == "LOG" and m["log"]["message"].startswith("Rejected record")]
    assert rejections == ["Rejected record: stream=contacts key=rk_c_000003 "
                          "reason=email: 'not-an-email' is not a valid email"]
    emails = {c.get("email") for c in dump["contacts"]}
    assert {"ada.lovelace@example.com", "alan.turing@example.com"} <= emails
    assert "not-an-email" not in emails
    assert marked(dump, "tasks") == ["rk_t_000001"] and marked(dump, "notes") == ["rk_n_000001"]
