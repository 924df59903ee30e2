"""Crash design: the supervisor owns the listening socket; a worker process serves it and is restarted.

While a worker is down (killed, out of memory, crashed), the socket stays open and the kernel keeps queuing
new connections in its backlog, so GHL's deliveries wait a moment instead of meeting a refused connection
(which GHL never retries). Only the requests the dead worker had already accepted and not answered are lost
to GHL; those it had committed are stored all the same. The worker gets its settings on a pipe (never in
argv, where `ps` would show the token) and the socket as an inherited file descriptor.

SIGTERM/SIGINT: the worker drains (answers 429 to new events, finishes the ones in flight), then both exit.
"""
from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import threading
import time

import orjson

from .settings import Settings

log = logging.getLogger("ghl_webhooks.supervisor")

BACKLOG = 4096
FAST_CRASH_SECONDS = 2.0  # a worker dying sooner than this after start is backed off, not restarted hot
MAX_BACKOFF_SECONDS = 5.0


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.sock = listen(settings.host, settings.port)
        self.worker: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.restarts = 0

    @property
    def address(self) -> tuple[str, int]:
        return self.sock.getsockname()[:2]

    def _spawn(self) -> subprocess.Popen:
        fd = self.sock.fileno()
        proc = subprocess.Popen([sys.executable, "-m", "ghl_webhooks.worker", str(fd)], stdin=subprocess.PIPE,
                                pass_fds=(fd,))
        proc.stdin.write(orjson.dumps(self.settings.to_dict()))
        proc.stdin.close()
        return proc

    def _stop(self, signum, _frame) -> None:
        log.info("signal %d: stopping", signum)
        self.stopping.set()
        w = self.worker
        if w is not None and w.poll() is None:
            w.send_signal(signal.SIGTERM)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        backoff = 0.0
        while not self.stopping.is_set():
            started = time.monotonic()
            self.worker = self._spawn()
            log.info("worker %d started", self.worker.pid)
            code = self.worker.wait()
            if self.stopping.is_set():
                break
            self.restarts += 1
            log.warning("worker %d exited with %s; restarting (the socket stays open)", self.worker.pid, code)
            backoff = min(MAX_BACKOFF_SECONDS, backoff * 2 or 0.1) if time.monotonic() - started < FAST_CRASH_SECONDS \
                else 0.0
            if backoff:
                self.stopping.wait(backoff)
        if self.worker is not None:
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker.kill()
        self.sock.close()
        return 0
