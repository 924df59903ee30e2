"""The worker process: settings from stdin, the listening socket from the supervisor (supervisor.py)."""
from __future__ import annotations

import logging
import signal
import socket
import sys

import orjson

from .settings import Settings


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    from .app import ReceiverApp

    argv = sys.argv[1:] if argv is None else argv
    fd = int(argv[0])
    settings = Settings.from_dict(orjson.loads(sys.stdin.buffer.read()))
    logging.basicConfig(level=getattr(logging, settings.log_level.upper(), logging.INFO),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sock = socket.socket(fileno=fd)
    app = ReceiverApp(settings)
    config = uvicorn.Config(app, lifespan="off", log_level=settings.log_level, access_log=False,
                            timeout_graceful_shutdown=20, timeout_keep_alive=30)

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            app.draining = True  # from now on new events get 429: GHL delivers them again later
            super().handle_exit(sig, frame)

    server = Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        app.close()
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides; it sends SIGTERM
    sys.exit(main())
