"""`ghl-sandbox configs`: the credentials file of `serve --credentials-out` becomes connector configs that the
real connectors accept (each `check` succeeds), with the least token each needs, readable by its owner only."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ghl_sandbox.process import SandboxProcess

BIN = Path(sys.executable).parent


def configs(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "ghl-sandbox"), "configs", *args], capture_output=True, text=True, timeout=60)


def check(kind: str, config: Path) -> dict:
    done = subprocess.run([str(BIN / f"{kind}-ghl-contacts"), "check", "--config", str(config)],
                          capture_output=True, text=True, timeout=120)
    return next(m for m in map(json.loads, done.stdout.splitlines()) if m["type"] == "CONNECTION_STATUS")


@pytest.fixture(scope="module")
def two_locations():
    with SandboxProcess(seed=5, contacts=3, locations=2) as sb:
        yield sb


@pytest.fixture
def credentials_file(two_locations, tmp_path) -> Path:
    path = tmp_path / "credentials.json"  # what `serve --credentials-out` wrote, as it wrote it
    path.write_text(json.dumps(two_locations.credentials))
    return path


def test_writes_configs_both_connectors_accept(two_locations, credentials_file, tmp_path):
    out = tmp_path / "secrets"
    done = configs("--credentials", str(credentials_file), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["source:", str(out / "source.json"), "destination:", str(out / "destination.json")]
    tokens = two_locations.credentials["private_integration_tokens"]
    for kind, token in (("source", tokens["readonly"]), ("destination", tokens["readwrite"])):
        path = out / f"{kind}.json"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        config = json.loads(path.read_text())
        assert config["credentials"] == {"auth_type": "private_integration_token", "token": token}
        assert config["location_id"] == two_locations.location_id
        assert config["api_base_url"] == two_locations.base_url
        assert check(kind, path)["connectionStatus"]["status"] == "SUCCEEDED"


def test_another_location(two_locations, credentials_file, tmp_path):
    second = two_locations.credentials["locations"][1]
    done = configs("--credentials", str(credentials_file), "--out", str(tmp_path), "--location", second)
    assert done.returncode == 0, done.stderr
    config = json.loads((tmp_path / "source.json").read_text())
    assert config["location_id"] == second
    assert config["credentials"]["token"] == two_locations.credentials["location_tokens"][second]["readonly"]
    assert check("source", tmp_path / "source.json")["connectionStatus"]["status"] == "SUCCEEDED"


def test_unknown_location_or_bad_file_is_explained(credentials_file, tmp_path):
    unknown = configs("--credentials", str(credentials_file), "--out", str(tmp_path), "--location", "nope")
    assert unknown.returncode == 2 and "no tokens for location 'nope'" in unknown.stderr
    (tmp_path / "broken.json").write_text("{not json")
    broken = configs("--credentials", str(tmp_path / "broken.json"), "--out", str(tmp_path))
    assert broken.returncode == 2 and "cannot use" in broken.stderr
    assert not (tmp_path / "source.json").exists()
