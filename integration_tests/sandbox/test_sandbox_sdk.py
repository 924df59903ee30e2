"""HighLevel's official Python SDK, as shipped (`gohighlevel-api-client` 3.0.0 from PyPI, API v3), reads and
writes contacts, tasks, notes and appointments and refreshes OAuth tokens through the sandbox.

The SDK is installed into its own virtualenv under the temp dir (made once, reused while its pin matches),
never into the project's; the driver script (sdk/python_sdk_session.py) runs there and talks HTTP only.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SDK = "gohighlevel-api-client==3.0.0"
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def sdk_python() -> str:
    env_dir = Path(tempfile.gettempdir()) / ("ghl-sdk-venv-" + SDK.replace("=", "-"))
    py = env_dir / "bin" / "python"
    stamp = env_dir / ".installed"
    if not stamp.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(env_dir)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", SDK], check=True, timeout=600)
        stamp.write_text(SDK)
    return str(py)


def test_official_python_sdk_v3(sdk_python, sandbox):
    sandbox.reset()
    creds = sandbox.credentials
    cfg = {"base_url": sandbox.base_url, "pit": creds["private_integration_tokens"]["readwrite"],
           "location_id": sandbox.location_id, **{k: creds["oauth"][k] for k in
                                                  ("client_id", "client_secret", "refresh_token")}}
    run = subprocess.run([sdk_python, str(HERE / "sdk" / "python_sdk_session.py"), json.dumps(cfg)],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": ""})
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    sandbox.reset()

    cid = out["created"]["contact"]["id"]
    assert out["got"]["contact"]["city"] == "Oslo" and out["got"]["contact"]["firstName"] == "Sdk"
    assert out["updated"]["succeeded"] is True  # the v3 spelling
    assert out["task_updated"]["task"]["completed"] is True
    assert [t["id"] for t in out["tasks"]["tasks"]] == [out["task"]["task"]["id"]]
    assert [n["id"] for n in out["notes"]["notes"]] == [out["note"]["note"]["id"]]
    appt = out["appointment"]
    assert appt["contactId"] == cid and appt["startTime"] == "2026-12-01T10:00:00+01:00" and appt["dateAdded"]
    assert out["appointment_edited"]["title"] == "SDK meeting 2"
    assert out["appointment_edited"]["startTime"] == "2026-12-01T10:00:00+01:00"  # the create's form
    assert out["appointment_got"]["event"]["id"] == appt["id"]
    assert [e["id"] for e in out["appointments"]["events"]] == [appt["id"]]
    assert out["appointment_deleted"]["succeeded"] is True
    assert out["refreshed"]["accessToken"] and out["refreshed_again"]["refreshToken"] != out["refreshed"][
        "refreshToken"]
    assert out["deleted"]["succeeded"] is True
