"""Run the real `source-ghl-contacts` console script against a sandbox and collect its messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from integration_tests.messages import AirbyteMessages, parse_messages

SCRIPT = str(Path(sys.executable).with_name("source-ghl-contacts"))
STREAMS = ("contacts", "tasks", "notes", "appointments", "custom_fields")
INCREMENTAL = {"contacts": "dateUpdated", "tasks": "contactDateUpdated", "notes": "contactDateUpdated", "appointments": "contactDateUpdated"}


def pit_config(sandbox: Any, token: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
    creds = sandbox.credentials
    return {
        "credentials": {"auth_type": "private_integration_token", "token": token or creds["private_integration_tokens"]["readonly"]},
        "location_id": creds["location_id"],
        "api_base_url": creds["base_url"],
        **extra,
    }


def oauth_config(sandbox: Any, **extra: Any) -> Dict[str, Any]:
    oauth = sandbox.credentials["oauth"]
    return {
        "credentials": {"auth_type": "oauth2.0", **{k: oauth[k] for k in ("client_id", "client_secret", "refresh_token")}},
        "location_id": sandbox.location_id,
        "api_base_url": sandbox.base_url,
        **extra,
    }


def catalog(*streams: str, incremental: bool = True) -> Dict[str, Any]:
    configured = []
    for name in streams or STREAMS:
        cursor = INCREMENTAL.get(name) if incremental else None
        configured.append(
            {
                "stream": {"name": name, "json_schema": {}, "supported_sync_modes": ["full_refresh", "incremental"]},
                "sync_mode": "incremental" if cursor else "full_refresh",
                "destination_sync_mode": "append_dedup" if cursor else "overwrite",
                "cursor_field": [cursor] if cursor else [],
                "primary_key": [["id"]],
            }
        )
    return {"streams": configured}


@dataclass
class Output(AirbyteMessages):
    messages: List[Dict[str, Any]]
    returncode: int
    stderr: str

    @property
    def logs(self) -> List[str]:
        return [m["log"]["message"] for m in self.of_type("LOG")]

    @property
    def raw(self) -> str:
        return "\n".join(json.dumps(m) for m in self.messages)


def run_source(command: str, config: Dict[str, Any], catalog: Optional[Dict[str, Any]] = None,
               state: Optional[List[Dict[str, Any]]] = None, timeout: float = 240,
               env: Optional[Dict[str, str]] = None) -> Output:
    with tempfile.TemporaryDirectory() as folder:
        args = [SCRIPT, command]
        for flag, content in (("--config", config), ("--catalog", catalog), ("--state", state)):
            if content is not None:
                path = os.path.join(folder, flag.strip("-") + ".json")
                with open(path, "w") as handle:
                    json.dump(content, handle)
                args += [flag, path]
        if command == "spec":
            args = [SCRIPT, "spec"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                              env=dict(os.environ, **env) if env else None)
    return Output(messages=parse_messages(done.stdout), returncode=done.returncode, stderr=done.stderr)
