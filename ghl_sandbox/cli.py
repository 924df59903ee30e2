"""`ghl-sandbox serve ...`: seed a store and serve the GHL emulator on loopback.
`ghl-sandbox configs ...`: write connector configs from the credentials a running sandbox issued."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time

from ghl_http.hosts import is_loopback

from .config import SandboxConfig


def _prob(v: str) -> float:
    p = float(v)
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError("a probability must be between 0 and 1")
    return p


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ghl-sandbox", description="A local emulator of the GoHighLevel API v2 "
                                                                "Contacts surface (test-only).")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="seed data and serve the API")
    d = SandboxConfig()
    s.add_argument("--host", default="127.0.0.1", help="bind address (loopback unless --allow-remote)")
    s.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    s.add_argument("--allow-remote", action="store_true", help="allow binding a non-loopback address")
    s.add_argument("--credentials-out", metavar="FILE", help="write the credentials JSON here once serving")
    s.add_argument("--seed", type=int, default=d.seed)
    s.add_argument("--contacts", type=int, default=d.contacts, help="contacts per location")
    s.add_argument("--locations", type=int, default=d.locations)
    s.add_argument("--db", default=None, help="SQLite file (recreated at start); default in memory")
    s.add_argument("--no-seed-cache", action="store_true",
                   help="always generate seed data (default: large seeds are cached under "
                        "$GHL_SANDBOX_CACHE_DIR or the temp dir, keyed by the parameters and the seeding code)")
    s.add_argument("--allow-duplicates", action="store_true", help="location setting Allow Duplicate Contact")
    s.add_argument("--upsert-match", default=d.upsert_match, choices=("email", "phone", "email_phone",
                                                                      "phone_email"))
    s.add_argument("--rate-limit-burst", type=int, default=d.rate_limit_burst)
    s.add_argument("--rate-limit-window-seconds", type=float, default=d.rate_limit_window_seconds)
    s.add_argument("--rate-limit-daily", type=int, default=d.rate_limit_daily)
    s.add_argument("--no-rate-limit", action="store_true", help="never answer 429 (headers still sent)")
    s.add_argument("--token-expires-in", type=int, default=d.token_expires_in, help="OAuth access token life, s")
    s.add_argument("--search-lag-seconds", type=float, default=d.search_lag_seconds)
    s.add_argument("--latency-ms", type=float, default=d.latency_ms)
    s.add_argument("--jitter-ms", type=float, default=d.jitter_ms)
    for k in ("429", "500", "502", "503", "504", "stall", "drop", "truncate"):
        s.add_argument(f"--fault-{k}", type=_prob, default=0.0, metavar="P", help=f"probability of fault {k}")
    s.add_argument("--stall-seconds", type=float, default=d.stall_seconds)
    s.add_argument("--fault-seed", type=int, default=None, help="seed of the fault stream (default: --seed)")
    s.add_argument("--fault-route", action="append", default=[], metavar="ROUTE",
                   help="limit faults to routes starting with e.g. 'POST /contacts/upsert' (repeatable)")
    s.add_argument("--fault-oauth", action="store_true", help="apply faults to POST /oauth/token too")
    s.add_argument("--webhook-retry-scale", type=float, default=d.webhook_retry_scale,
                   help="multiply GHL's ~10 min webhook retry interval (e.g. 0.001 in tests)")
    s.add_argument("--webhook-timeout-seconds", type=float, default=d.webhook_timeout_seconds,
                   help="how long one webhook delivery may take before it counts as failed")
    s.add_argument("--log-level", default="warning")
    add_configs_command(sub)
    return p


def add_configs_command(sub) -> None:
    c = sub.add_parser("configs", help="write source and destination configs from the credentials file of "
                                       "`serve --credentials-out`")
    c.add_argument("--credentials", required=True, metavar="FILE", help="the file written by --credentials-out")
    c.add_argument("--out", default="secrets", metavar="DIR",
                   help="folder for source.json and destination.json (default: secrets, git-ignored)")
    c.add_argument("--location", default=None, metavar="ID", help="location id (default: the first location)")


def run_configs(a) -> int:
    from .configs import write_configs

    try:
        written = write_configs(a.credentials, a.out, a.location)
    except (OSError, ValueError, KeyError) as error:
        detail = f"missing key {error}" if isinstance(error, KeyError) else str(error)
        print(f"ghl-sandbox configs: cannot use {a.credentials}: {detail}", file=sys.stderr)
        return 2
    for kind, path in written.items():
        print(f"{kind}: {path}")
    return 0


def config_from_args(a) -> SandboxConfig:
    return SandboxConfig(
        seed=a.seed, contacts=a.contacts, locations=a.locations, db=a.db, allow_duplicates=a.allow_duplicates,
        seed_cache=not a.no_seed_cache,
        upsert_match=a.upsert_match, rate_limit=not a.no_rate_limit, rate_limit_burst=a.rate_limit_burst,
        rate_limit_window_seconds=a.rate_limit_window_seconds, rate_limit_daily=a.rate_limit_daily,
        token_expires_in=a.token_expires_in, search_lag_seconds=a.search_lag_seconds, latency_ms=a.latency_ms,
        jitter_ms=a.jitter_ms, fault_429=a.fault_429, fault_500=a.fault_500, fault_502=a.fault_502,
        fault_503=a.fault_503, fault_504=a.fault_504, fault_stall=a.fault_stall, fault_drop=a.fault_drop,
        fault_truncate=a.fault_truncate, stall_seconds=a.stall_seconds, fault_seed=a.fault_seed,
        fault_routes=a.fault_route, fault_oauth=a.fault_oauth, webhook_retry_scale=a.webhook_retry_scale,
        webhook_timeout_seconds=a.webhook_timeout_seconds)


def write_json_atomic(path: str, data: dict) -> None:
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=d)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)


async def _serve(a, cfg: SandboxConfig) -> None:
    import uvicorn

    from .app import GhlApp, Sandbox

    t0 = time.time()
    if cfg.db and os.path.exists(cfg.db):
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(cfg.db + suffix):
                os.remove(cfg.db + suffix)
    sb = Sandbox(cfg)
    app = GhlApp(sb)
    try:
        import uvloop  # noqa: F401
        loop = "uvloop"
    except ImportError:  # pragma: no cover
        loop = "asyncio"
    try:
        import httptools  # noqa: F401
        http = "httptools"
    except ImportError:  # pragma: no cover
        http = "h11"
    config = uvicorn.Config(app, host=a.host, port=a.port, loop="none", http=http, lifespan="off",
                            log_level=a.log_level, access_log=False, timeout_keep_alive=30, backlog=2048,
                            timeout_graceful_shutdown=1)
    _ = loop
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise SystemExit("server failed to start")
        await asyncio.sleep(0.01)
    sock = server.servers[0].sockets[0]
    host, port = sock.getsockname()[:2]
    sb.base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
    creds = sb.credentials()
    if a.credentials_out:
        write_json_atomic(a.credentials_out, creds)
    print(f"ghl-sandbox serving {sb.base_url} (seed {cfg.seed}, {cfg.contacts} contacts x {cfg.locations} "
          f"location(s){', seed from cache' if sb.seed_cached else ''}, ready in {time.time() - t0:.1f}s)", flush=True)
    await task


def _server_installed() -> bool:
    """The server libraries are an extra, kept out of the connector images: say how to get them."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        print(f"ghl-sandbox needs the 'sandbox' extra ({exc.name} is missing): "
              "pip install 'ghl-contacts-connectors[sandbox]'", file=sys.stderr)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    if a.command == "serve":
        if not is_loopback(a.host) and not a.allow_remote:
            print(f"refusing to bind {a.host}: the sandbox serves loopback only (use --allow-remote)",
                  file=sys.stderr)
            return 2
        if not _server_installed():
            return 2
        logging.basicConfig(level=getattr(logging, a.log_level.upper(), logging.WARNING))
        cfg = config_from_args(a)
        try:
            import uvloop
            uvloop.run(_serve(a, cfg))
        except ImportError:  # pragma: no cover
            asyncio.run(_serve(a, cfg))
        return 0
    if a.command == "configs":
        return run_configs(a)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
