"""Connector configs: built from a running sandbox, or read from `secrets/` for a real GHL location.

Both connectors share `credentials`, `location_id`, `api_base_url` and `requests_per_10_seconds`. The source
gets the sandbox's read-only token and the destination its read-write one, as least privilege would have it
on a real account. Configs for the sandbox are written under the run's output folder (git-ignored `build/`),
and real ones are read where the user keeps them: the demo never copies a real secret anywhere.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECRETS = REPO / "secrets"
EXAMPLES = Path(__file__).resolve().parent / "config"

# Connector-specific options the demo sets for the sandbox on top of the shared ones. The sandbox's search
# index has no lag (real GHL's lags seconds to minutes), so the incremental read needs no lookback window;
# configs for real GHL keep the source's default.
SOURCE_OPTIONS: dict = {"lookback_window_minutes": 0}
DESTINATION_OPTIONS: dict = {}


@dataclass
class Configs:
    source: Path
    destination: Path
    where: str  # shown in the summary: the sandbox URL, or "GHL location <id>"

    def load(self, which: str) -> dict:
        return json.loads(getattr(self, which).read_text(encoding="utf-8"))


def _shared(sandbox, token: str) -> dict:
    return {"credentials": {"auth_type": "private_integration_token", "token": token},
            "location_id": sandbox.location_id, "api_base_url": sandbox.base_url,
            "requests_per_10_seconds": 100}


def first_calendar(sandbox, token: str) -> str:
    """Rankr has no GHL calendars: its appointments are booked in the location's first calendar."""
    r = sandbox.session.get(f"{sandbox.base_url}/calendars/", params={"locationId": sandbox.location_id},
                            headers=sandbox.headers(token, version="2021-04-15"), timeout=30)
    r.raise_for_status()
    return r.json()["calendars"][0]["id"]


def for_sandbox(sandbox, out_dir: Path) -> Configs:
    tokens = sandbox.credentials["private_integration_tokens"]
    out_dir.mkdir(parents=True, exist_ok=True)
    source = dict(_shared(sandbox, tokens["readonly"]), **SOURCE_OPTIONS)
    destination = dict(_shared(sandbox, tokens["readwrite"]), **DESTINATION_OPTIONS,
                       default_calendar_id=first_calendar(sandbox, tokens["readwrite"]))
    paths = {}
    for name, cfg in (("source", source), ("destination", destination)):
        paths[name] = out_dir / f"{name}.json"
        paths[name].write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    return Configs(paths["source"], paths["destination"], f"ghl_sandbox at {sandbox.base_url}")


def for_real(secrets_dir: Path = SECRETS) -> Configs:
    """`secrets/source.json` and `secrets/destination.json`, made from the examples in demo/config/."""
    paths = {n: secrets_dir / f"{n}.json" for n in ("source", "destination")}
    missing = [p for p in paths.values() if not p.exists()]
    if missing:
        names = ", ".join(str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in missing)
        raise SystemExit(f"missing {names}: copy demo/config/source.example.json and "
                         "demo/config/destination.example.json to secrets/source.json and "
                         "secrets/destination.json and fill in your token and location id (see docs/demo.md)")
    location = json.loads(paths["source"].read_text(encoding="utf-8")).get("location_id", "?")
    return Configs(paths["source"], paths["destination"], f"GHL location {location}")


def persist_rotated(path: Path):
    """A callback for the source's CONTROL messages: GHL refresh tokens are single-use, so the new config
    must replace the old one at once, or the next sync cannot authenticate."""
    def save(new_config: dict) -> None:
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(new_config, indent=2), encoding="utf-8")
        tmp.replace(path)
    return save
