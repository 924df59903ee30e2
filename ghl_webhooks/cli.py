"""`ghl-webhooks serve ...`: receive GHL's signed webhook events and serve them to the source (docs/webhooks.md)."""
from __future__ import annotations

import argparse
import logging
import sys

from ghl_http.hosts import is_loopback

from . import settings as settings_mod


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ghl-webhooks", description="Receive GHL's signed webhook events, store them "
                                "durably and serve them to source-ghl-contacts.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="listen for GHL webhook deliveries")
    settings_mod.add_arguments(s)
    s.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --host (behind a TLS-terminating proxy or in a container)")
    return p


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    if not is_loopback(a.host) and not a.allow_remote:
        print(f"ghl-webhooks: refusing to bind {a.host}: loopback only unless --allow-remote", file=sys.stderr)
        return 2
    try:
        settings = settings_mod.from_args(a)
    except settings_mod.SettingsError as e:
        print(f"ghl-webhooks: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(level=getattr(logging, a.log_level.upper(), logging.INFO),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from .store import Unavailable, open_store
    from .supervisor import Supervisor

    try:
        open_store(settings).close()  # create the schema once, and fail here, not in a restart loop
    except Unavailable as e:
        print(f"ghl-webhooks: cannot open storage: {e}", file=sys.stderr)
        return 2
    sup = Supervisor(settings)
    host, port = sup.address
    print(f"ghl-webhooks listening on http://{host}:{port}{settings.path} "
          f"({'PostgreSQL' if settings.postgres_dsn else 'SQLite ' + settings.db})", flush=True)
    return sup.run()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
