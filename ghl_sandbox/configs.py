"""`ghl-sandbox configs`: turn the credentials a sandbox issued (its `--credentials-out` file) into ready
connector configs, so a newcomer runs `source-ghl-contacts check --config ...` without editing JSON.

The source gets the read-only Private Integration token, the destination the read-write one (each the least
it needs). No OAuth config is written: a GHL refresh token is single-use, so one token shared by two configs
breaks the second connector as soon as the first refreshes.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

# The sandbox allows GHL's burst of 100 requests per 10 s unless started with another --rate-limit-burst.
REQUESTS_PER_10_SECONDS = 100


def connector_configs(credentials: dict, location_id: str | None = None) -> dict[str, dict]:
    """{"source": config, "destination": config} for one location of the sandbox."""
    location = location_id or credentials["location_id"]
    tokens = credentials.get("location_tokens", {}).get(location)
    if tokens is None:
        if location != credentials["location_id"]:
            raise ValueError(f"the sandbox issued no tokens for location '{location}'; its locations: "
                             f"{', '.join(credentials.get('locations', [credentials['location_id']]))}")
        tokens = credentials["private_integration_tokens"]

    def config(token: str) -> dict:
        return {"credentials": {"auth_type": "private_integration_token", "token": token},
                "location_id": location, "api_base_url": credentials["base_url"],
                "requests_per_10_seconds": REQUESTS_PER_10_SECONDS}

    return {"source": config(tokens["readonly"]), "destination": config(tokens["readwrite"])}


def agency_config(credentials: dict, **options) -> dict:
    """A connector config for the sandbox's agency install (its Company refresh token). Not written by
    `configs`: the token is single-use, so each connector and run that uses it must keep the config of its
    CONTROL messages (tests and benchmarks do)."""
    grant = credentials["agency"]
    return {"credentials": {"auth_type": "agency_oauth2.0",
                            **{key: grant[key] for key in ("client_id", "client_secret", "refresh_token")}},
            "api_base_url": credentials["base_url"], **options}


def write_private_json(path: Path, data: dict) -> None:
    """Atomically, readable by its owner only: the file holds a token."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_configs(credentials_path: Path, out_dir: Path, location_id: str | None = None) -> dict[str, Path]:
    """Write source.json and destination.json into out_dir; returns their paths."""
    credentials = json.loads(Path(credentials_path).read_text())
    written = {}
    for kind, config in connector_configs(credentials, location_id).items():
        written[kind] = Path(out_dir) / f"{kind}.json"
        write_private_json(written[kind], config)
    return written
