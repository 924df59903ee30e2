"""The receiver's settings: command-line options, with secrets also from the environment or files.

Secrets (the bearer token, the PostgreSQL DSN) are never taken on the command line alone, where `ps` shows
them: `--token-file` / `GHL_WEBHOOKS_TOKEN`, `--postgres-dsn-file` / `GHL_WEBHOOKS_POSTGRES_DSN`.
The supervisor hands the settings to its worker on a pipe, not in argv.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass, field
from importlib import resources

DEFAULT_PORT = 8780
DEFAULT_PATH = "/webhooks/ghl"


@dataclass
class Settings:
    locations: list[str] = field(default_factory=list)
    ed25519_public_key_pem: str = ""
    rsa_public_key_pem: str | None = None  # set only when legacy x-wh-signature is enabled
    token: str = ""
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    path: str = DEFAULT_PATH
    db: str = "ghl-webhooks.sqlite"
    postgres_dsn: str | None = None
    sqlite_busy_timeout_ms: int = 5000
    max_db_mb: float | None = None
    replay_window_seconds: float = 300.0
    max_body_bytes: int = 256 * 1024
    page_limit: int = 1000
    retry_after_seconds: int = 60
    log_level: str = "info"
    # Airbyte trigger (trigger.py); off without connections
    airbyte_api_url: str = "https://api.airbyte.com/v1"
    airbyte_connections: list[tuple[str | None, str]] = field(default_factory=list)
    airbyte_api_key: str | None = None
    airbyte_client_id: str | None = None
    airbyte_client_secret: str | None = None
    trigger_quiet_seconds: float = 60.0
    trigger_min_interval_seconds: float = 900.0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Settings":
        d = dict(d)
        d["airbyte_connections"] = [tuple(c) for c in d.get("airbyte_connections", [])]
        return cls(**d)


class SettingsError(ValueError):
    pass


def ghl_legacy_rsa_key() -> str:
    """GHL's published RSA public key for x-wh-signature (vendored from WebhookAuthentication.md, CC0)."""
    return resources.files("ghl_webhooks").joinpath("ghl_rsa_public_key.pem").read_text()


def _read(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError as e:
        raise SettingsError(f"cannot read {what} {path}: {e.strerror}")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--location", action="append", default=[], metavar="ID", required=True,
                   help="a GHL location id to accept events for (repeatable); events of others are ignored")
    p.add_argument("--public-key-file", required=True, metavar="PEM",
                   help="GHL's Ed25519 public key (PEM) that verifies x-ghl-signature")
    p.add_argument("--legacy-rsa", action="store_true",
                   help="also accept the legacy RSA x-wh-signature when x-ghl-signature is absent")
    p.add_argument("--rsa-public-key-file", metavar="PEM",
                   help="the RSA public key for --legacy-rsa (default: the one GHL publishes)")
    p.add_argument("--token-file", metavar="FILE",
                   help="bearer token the source uses to read events (or GHL_WEBHOOKS_TOKEN)")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    p.add_argument("--path", default=DEFAULT_PATH, help="the webhook URL path set in the GHL app")
    p.add_argument("--db", default="ghl-webhooks.sqlite", help="SQLite file (default storage)")
    p.add_argument("--postgres-dsn-file", metavar="FILE",
                   help="store in PostgreSQL instead (DSN in this file, or GHL_WEBHOOKS_POSTGRES_DSN)")
    p.add_argument("--sqlite-busy-timeout-ms", type=int, default=5000,
                   help="how long to wait for a locked SQLite file before answering 429")
    p.add_argument("--max-db-mb", type=float, default=None,
                   help="cap the SQLite file; past it events are answered 429 (GHL retries them)")
    p.add_argument("--replay-window-seconds", type=float, default=300.0,
                   help="refuse events whose timestamp is further than this from now")
    p.add_argument("--max-body-bytes", type=int, default=256 * 1024, help="refuse larger bodies (413)")
    p.add_argument("--log-level", default="info")
    t = p.add_argument_group("Airbyte trigger", "start a connection's sync once events have gone quiet")
    t.add_argument("--airbyte-connection", action="append", default=[], metavar="[LOCATION=]CONNECTION_ID",
                   help="the Airbyte connection to sync after events (of LOCATION only, if given); repeatable")
    t.add_argument("--airbyte-api-url", default="https://api.airbyte.com/v1",
                   help="Airbyte's public API (self-managed: http://HOST:8000/api/public/v1)")
    t.add_argument("--airbyte-api-key-file", metavar="FILE", help="an API key/access token (or AIRBYTE_API_KEY)")
    t.add_argument("--airbyte-client-id", help="an application's client id (client credentials)")
    t.add_argument("--airbyte-client-secret-file", metavar="FILE",
                   help="that application's client secret (or AIRBYTE_CLIENT_SECRET)")
    t.add_argument("--trigger-quiet-seconds", type=float, default=60.0,
                   help="start a sync this long after the last event (debounce)")
    t.add_argument("--trigger-min-interval-minutes", type=float, default=15.0,
                   help="at most one sync start per connection in this many minutes")


def from_args(a: argparse.Namespace, environ=os.environ) -> Settings:
    token = _read(a.token_file, "token file") if a.token_file else environ.get("GHL_WEBHOOKS_TOKEN", "")
    if not token:
        raise SettingsError("no bearer token: give --token-file FILE or set GHL_WEBHOOKS_TOKEN "
                            "(the same value as the source's webhook_receiver.token)")
    dsn = (_read(a.postgres_dsn_file, "PostgreSQL DSN file") if a.postgres_dsn_file
           else environ.get("GHL_WEBHOOKS_POSTGRES_DSN") or None)
    ed = _read(a.public_key_file, "public key file")
    rsa = None
    if a.legacy_rsa:
        rsa = _read(a.rsa_public_key_file, "RSA public key file") if a.rsa_public_key_file else ghl_legacy_rsa_key()
    from .verify import load_ed25519, load_rsa

    try:
        load_ed25519(ed.encode())
    except ValueError as e:
        raise SettingsError(f"--public-key-file {a.public_key_file}: {e} (expected GHL's Ed25519 key, PEM)")
    if rsa is not None:
        try:
            load_rsa(rsa.encode())
        except ValueError as e:
            raise SettingsError(f"--rsa-public-key-file: {e}")
    if not a.path.startswith("/"):
        raise SettingsError("--path must start with /")
    connections = []
    for value in a.airbyte_connection:
        loc, _, cid = value.rpartition("=")
        if not cid:
            raise SettingsError(f"--airbyte-connection {value!r}: give CONNECTION_ID or LOCATION=CONNECTION_ID")
        connections.append((loc or None, cid))
    api_key = (_read(a.airbyte_api_key_file, "Airbyte API key file") if a.airbyte_api_key_file
               else environ.get("AIRBYTE_API_KEY") or None)
    client_secret = (_read(a.airbyte_client_secret_file, "Airbyte client secret file") if a.airbyte_client_secret_file
                     else environ.get("AIRBYTE_CLIENT_SECRET") or None)
    if connections and not api_key and not (a.airbyte_client_id and client_secret):
        raise SettingsError("--airbyte-connection needs Airbyte credentials: --airbyte-api-key-file (or "
                            "AIRBYTE_API_KEY), or --airbyte-client-id with --airbyte-client-secret-file (or "
                            "AIRBYTE_CLIENT_SECRET)")
    return Settings(locations=list(a.location), ed25519_public_key_pem=ed, rsa_public_key_pem=rsa, token=token,
                    host=a.host, port=a.port, path=a.path, db=a.db, postgres_dsn=dsn,
                    sqlite_busy_timeout_ms=a.sqlite_busy_timeout_ms, max_db_mb=a.max_db_mb,
                    replay_window_seconds=a.replay_window_seconds, max_body_bytes=a.max_body_bytes,
                    log_level=a.log_level, airbyte_api_url=a.airbyte_api_url.rstrip("/"),
                    airbyte_connections=connections, airbyte_api_key=api_key, airbyte_client_id=a.airbyte_client_id,
                    airbyte_client_secret=client_secret, trigger_quiet_seconds=a.trigger_quiet_seconds,
                    trigger_min_interval_seconds=a.trigger_min_interval_minutes * 60)
