"""HighLevel's official SDKs, as shipped, read and write contacts, tasks, notes and appointments and refresh
OAuth tokens through the sandbox: the Python SDK (`gohighlevel-api-client` 3.0.0 from PyPI, API v3 only) and
the npm SDK (`@gohighlevel/api-client` 3.1.0, its `apiVersion` set to GHL's v2 dates).

Each SDK is installed into its own environment under the temp dir (a virtualenv, a node_modules; made once,
reused while the pin matches), never into the project's; the driver scripts in sdk/ run there and talk HTTP
only.
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
NPM_SDK = "@gohighlevel/api-client@3.1.0"
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


@pytest.fixture(scope="module")
def sdk_node_modules() -> str:
    env_dir = Path(tempfile.gettempdir()) / ("ghl-sdk-npm-" + NPM_SDK.replace("/", "-").replace("@", ""))
    stamp = env_dir / ".installed"
    if not stamp.exists():
        env_dir.mkdir(parents=True, exist_ok=True)
        (env_dir / "package.json").write_text('{"private": true}')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", NPM_SDK], cwd=env_dir,
                       check=True, timeout=600)
        stamp.write_text(NPM_SDK)
    return str(env_dir / "node_modules")


def _config(sandbox) -> str:
    creds = sandbox.credentials
    return json.dumps({"base_url": sandbox.base_url, "pit": creds["private_integration_tokens"]["readwrite"],
                       "location_id": sandbox.location_id,
                       **{k: creds["oauth"][k] for k in ("client_id", "client_secret", "refresh_token")}})


def _session(sandbox, command: list[str], env: dict) -> dict:
    sandbox.reset()
    run = subprocess.run(command + [_config(sandbox)], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env})
    sandbox.reset()
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


def test_official_python_sdk_v3(sdk_python, sandbox):
    out = _session(sandbox, [sdk_python, str(HERE / "sdk" / "python_sdk_session.py")], {"PYTHONPATH": ""})

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


def test_official_npm_sdk_v2(sdk_node_modules, sandbox):
    out = _session(sandbox, ["node", str(HERE / "sdk" / "node_sdk_session.js")], {"NODE_PATH": sdk_node_modules})
    cid = out["created"]["contact"]["id"]
    assert out["got"]["contact"]["city"] == "Bergen" and out["got"]["contact"]["firstName"] == "Npm"
    assert out["updated"]["succeded"] is True  # the v2 spelling (sic)
    assert out["task_updated"]["task"]["completed"] is True
    assert [t["id"] for t in out["tasks"]["tasks"]] == [out["task"]["task"]["id"]]
    assert [n["id"] for n in out["notes"]["notes"]] == [out["note"]["note"]["id"]]
    appt = out["appointment"]
    assert appt["contactId"] == cid and "dateAdded" not in appt  # v2 answers lack it (#246)
    assert out["appointment_edited"]["title"] == "npm meeting 2"
    assert out["appointment_edited"]["startTime"] == "2026-12-01T10:00:00+01:00"
    assert out["appointment_got"]["event"]["id"] == appt["id"]
    assert [e["id"] for e in out["appointments"]["events"]] == [appt["id"]]
    assert out["refreshed"]["access_token"] and out["refreshed_again"]["refresh_token"] != out["refreshed"][
        "refresh_token"]
    assert out["deleted"]["succeded"] is True
