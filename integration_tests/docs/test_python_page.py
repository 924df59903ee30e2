"""docs/python.md ("Use it from Python"): its Python blocks, run in order as one program, against a sandbox.

The page's shell steps are done here the same way: a sandbox started with `serve --credentials-out`, then
`ghl-sandbox configs` writing secrets/source.json in the folder the program runs in. What the program leaves
behind (its DuckDB file) must hold exactly the sandbox's contacts, tasks and notes.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ghl_sandbox.process import SandboxProcess

pytest.importorskip("airbyte", reason="PyAirbyte is the demo extra: pip install -e '.[demo]'")
duckdb = pytest.importorskip("duckdb")

PAGE = Path(__file__).resolve().parents[2] / "docs" / "python.md"
BIN = Path(sys.executable).parent
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def page_program() -> str:
    blocks = PYTHON_BLOCK.findall(PAGE.read_text())
    assert len(blocks) >= 3, "the page lost its Python blocks"
    return "\n".join(blocks)


def test_the_python_page_runs_against_the_sandbox(tmp_path):
    program = page_program()
    with SandboxProcess(seed=9, contacts=25, rate_limit_burst=2000) as sandbox:
        (tmp_path / "credentials.json").write_text(json.dumps(sandbox.credentials))
        made = subprocess.run([str(BIN / "ghl-sandbox"), "configs", "--credentials", str(tmp_path / "credentials.json"),
                               "--out", str(tmp_path / "secrets")], capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        # The page's program, as a user runs it: the project's Python, its console scripts on PATH, nothing of
        # the test's environment that would stand in for the variables the page sets itself.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "DO_NOT_TRACK"))}
        env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", AIRBYTE_LOGGING_ROOT=str(tmp_path / "logs"))
        ran = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=600)
        assert ran.returncode == 0, f"stdout:\n{ran.stdout[-3000:]}\nstderr:\n{ran.stderr[-5000:]}"
        dump = sandbox.dump()

    with duckdb.connect(str(tmp_path / "build" / "python" / "ghl.duckdb"), read_only=True) as con:
        for stream in ("contacts", "tasks", "notes"):
            ids = sorted(r[0] for r in con.execute(f"select id from {stream}").fetchall())
            assert ids == sorted(item["id"] for item in dump[stream]), stream
    records = sum(len(dump[s]) for s in ("contacts", "tasks", "notes"))
    assert f"read {records} records" in ran.stdout
    assert f"{len(dump['notes'])} notes" in ran.stdout


OAUTH_BLOCK = re.compile(r"^```python oauth\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def test_the_oauth_recipe_runs_twice_in_a_row_without_spending_a_token_twice(tmp_path):
    """Tokens that expire 2 s past the source's 60 s refresh margin: every command of both runs refreshes."""
    import requests

    (program,) = OAUTH_BLOCK.findall(PAGE.read_text())
    with SandboxProcess(seed=9, contacts=10, rate_limit_burst=2000, token_expires_in=62) as sandbox:
        oauth = sandbox.credentials["oauth"]
        secrets = tmp_path / "secrets"
        secrets.mkdir()
        (secrets / "source.json").write_text(json.dumps({
            "credentials": {"auth_type": "oauth2.0", **{k: oauth[k] for k in ("client_id", "client_secret", "refresh_token")}},
            "location_id": sandbox.location_id, "api_base_url": sandbox.base_url}))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "DO_NOT_TRACK"))}
        env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", AIRBYTE_LOGGING_ROOT=str(tmp_path / "logs"))
        for attempt in ("first", "second"):
            ran = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=env, capture_output=True,
                                 text=True, timeout=600)
            assert ran.returncode == 0, f"{attempt} run:\n{ran.stdout[-3000:]}\n{ran.stderr[-5000:]}"
            assert "read " in ran.stdout and "invalid_grant" not in ran.stdout + ran.stderr
        stored = json.loads((secrets / "source.json").read_text())["credentials"]
        assert stored["refresh_token"] != oauth["refresh_token"]
        unspent = requests.post(sandbox.base_url + "/oauth/token", data={
            "client_id": oauth["client_id"], "client_secret": oauth["client_secret"], "grant_type": "refresh_token",
            "refresh_token": stored["refresh_token"], "user_type": "Location"}, timeout=30)
        assert unspent.status_code == 200, "the saved refresh token must be the unspent one"
