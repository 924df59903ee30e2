"""`make sync-real` with OAuth, twice in a row: every command's rotated refresh token is saved, none is spent
twice (GHL refresh tokens are single-use). A sandbox stands in for GHL, with access tokens that expire two
seconds past the connectors' 60 s refresh margin, so every command (check, discover, read) must refresh."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from ghl_sandbox.process import SandboxProcess

REPO = Path(__file__).resolve().parents[2]


def _refresh_token_of_new_grant(sb: SandboxProcess) -> str:
    """A second authorization of the location: each connector needs its own."""
    oauth = sb.credentials["oauth"]
    answer = requests.post(sb.base_url + "/oauth/token", data={
        "client_id": oauth["client_id"], "client_secret": oauth["client_secret"], "grant_type": "authorization_code",
        "code": sb.oauth_code(), "user_type": "Location"}, timeout=30)
    answer.raise_for_status()
    return answer.json()["refresh_token"]


def _config(sb: SandboxProcess, refresh_token: str) -> dict:
    oauth = sb.credentials["oauth"]
    return {"credentials": {"auth_type": "oauth2.0", "client_id": oauth["client_id"],
                            "client_secret": oauth["client_secret"], "refresh_token": refresh_token},
            "location_id": sb.location_id, "api_base_url": sb.base_url, "requests_per_10_seconds": 100}


def _still_usable(sb: SandboxProcess, path: Path) -> int:
    credentials = json.loads(path.read_text())["credentials"]
    return requests.post(sb.base_url + "/oauth/token", data={
        "client_id": credentials["client_id"], "client_secret": credentials["client_secret"],
        "grant_type": "refresh_token", "refresh_token": credentials["refresh_token"], "user_type": "Location"},
        timeout=30).status_code


def test_sync_real_with_oauth_twice_in_a_row(tmp_path):
    with SandboxProcess(seed=5, contacts=12, token_expires_in=62) as sb:
        secrets = tmp_path / "secrets"
        secrets.mkdir()
        (secrets / "source.json").write_text(json.dumps(_config(sb, sb.credentials["oauth"]["refresh_token"])))
        (secrets / "destination.json").write_text(json.dumps(_config(sb, _refresh_token_of_new_grant(sb))))
        for run in ("first", "second"):
            done = subprocess.run([sys.executable, "-m", "demo", "--real", "--secrets", str(secrets),
                                   "--out", str(tmp_path / run)], cwd=REPO, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, f"{run} run: {done.stdout[-3000:]} {done.stderr[-3000:]}"
            assert "invalid_grant" not in done.stdout + done.stderr
        for name in ("source", "destination"):  # the token each file holds now was never spent
            assert _still_usable(sb, secrets / f"{name}.json") == 200, name
