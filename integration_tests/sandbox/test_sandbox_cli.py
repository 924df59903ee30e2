"""The CLI: console script, loopback only, credentials file, free port, file-backed store."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import requests

from ghl_sandbox.process import SandboxProcess, cli_args


def test_refuses_non_loopback_host(tmp_path):
    p = subprocess.run([sys.executable, "-m", "ghl_sandbox", "serve", "--host", "0.0.0.0", "--port", "0",
                        "--credentials-out", str(tmp_path / "c.json")], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2 and "loopback" in p.stderr
    assert not (tmp_path / "c.json").exists()


def test_console_script_is_installed():
    exe = shutil.which("ghl-sandbox") or os.path.join(os.path.dirname(sys.executable), "ghl-sandbox")
    assert os.path.exists(exe)
    p = subprocess.run([exe, "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0
    for flag in ("--credentials-out", "--contacts", "--locations", "--rate-limit-burst", "--rate-limit-daily",
                 "--no-rate-limit", "--token-expires-in", "--search-lag-seconds", "--latency-ms", "--jitter-ms",
                 "--allow-duplicates", "--db", "--fault-429", "--fault-500", "--fault-502", "--fault-503",
                 "--fault-504", "--fault-stall", "--fault-drop", "--fault-truncate", "--stall-seconds"):
        assert flag in p.stdout


def test_credentials_file_and_db_file(tmp_path):
    db = tmp_path / "ghl.sqlite"
    with SandboxProcess(seed=3, contacts=5, locations=2, db=str(db)) as sb:
        c = sb.credentials
        assert set(c) >= {"base_url", "location_id", "locations", "private_integration_tokens", "oauth"}
        assert c["base_url"].startswith("http://127.0.0.1:") and not c["base_url"].endswith(":0")
        assert c["location_id"] == c["locations"][0] and len(c["locations"]) == 2
        assert set(c["private_integration_tokens"]) == {"readonly", "readwrite"}
        assert all(t.startswith("pit-") for t in c["private_integration_tokens"].values())
        assert set(c["oauth"]) == {"client_id", "client_secret", "refresh_token"}
        assert db.exists()
        assert requests.get(c["base_url"] + "/_sandbox/credentials", timeout=5).json() == c
    with SandboxProcess(seed=3, contacts=5, locations=2) as again:
        assert again.credentials["private_integration_tokens"] == c["private_integration_tokens"]
        assert again.credentials["locations"] == c["locations"]


def test_cli_args_mapping():
    assert cli_args(no_rate_limit=True, rate_limit_burst=10, fault_route=["A", "B"], db=None) == [
        "--no-rate-limit", "--rate-limit-burst", "10", "--fault-route", "A", "--fault-route", "B"]


def test_version_header_rules(sandbox):
    tok = sandbox.credentials["private_integration_tokens"]["readonly"]
    u = f"{sandbox.base_url}/contacts/"
    p = {"locationId": sandbox.location_id}
    auth = {"Authorization": f"Bearer {tok}"}
    r = requests.get(u, params=p, headers=auth, timeout=5)
    assert r.status_code == 400 and "Version" in r.json()["message"]
    r = requests.get(u, params=p, headers=dict(auth, Version="2023-02-21"), timeout=5)
    assert r.status_code == 400
    r = requests.get(f"{sandbox.base_url}/calendars/", params=p, headers=dict(auth, Version="2021-07-28"),
                     timeout=5)
    assert r.status_code == 401
    r = requests.get(f"{sandbox.base_url}/calendars/", params=p, headers=dict(auth, Version="2021-04-15"),
                     timeout=5)
    assert r.status_code == 200
    r = requests.get(f"{sandbox.base_url}/locations/{sandbox.location_id}/customFields",
                     headers=dict(auth, Version="2021-04-15"), timeout=5)
    assert r.status_code == 400
    assert json.loads(requests.get(u, params=p, headers=dict(auth, Version="2021-07-28"),
                                   timeout=5).content)["contacts"]
