"""Optional near-real-time: start the Airbyte connection's sync once events have arrived and gone quiet.

Airbyte's public API (https://reference.airbyte.com): `POST {api}/jobs` with `{"connectionId", "jobType": "sync"}`
and a bearer token, either an API key or an application's access token from
`POST {api}/applications/token` (`{"client_id", "client_secret", "grant-type": "client_credentials"}` ->
`{"access_token", "expires_in"}`). For each connection, a sync starts `quiet_seconds` after the last stored
event of its location (debounce), never sooner than `min_interval_seconds` after the previous one. A failed
start (network, 5xx, 401) is logged and retried with backoff; a 409 (a sync already running) counts as
started. All of it runs on its own thread: receiving never waits for Airbyte.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import requests

log = logging.getLogger("ghl_webhooks.trigger")

RETRY_SECONDS = (5.0, 15.0, 60.0, 300.0)  # then every 300 s until it works
TIMEOUT_SECONDS = 30


@dataclass
class Connection:
    connection_id: str
    location_id: str | None  # None: events of every location start it
    due: float | None = None  # monotonic time of the next start, None when nothing is pending
    pending_since: float | None = None  # first event not yet covered by a started sync
    last_started: float | None = None
    failures: int = 0
    started: int = 0


@dataclass
class TriggerSettings:
    api_url: str
    connections: list[tuple[str | None, str]]  # (location or None, connectionId)
    api_key: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    quiet_seconds: float = 60.0
    min_interval_seconds: float = 900.0
    retry_seconds: tuple = RETRY_SECONDS
    extra: dict = field(default_factory=dict)


class AirbyteTrigger:
    def __init__(self, settings: TriggerSettings, clock=time.monotonic):
        self.settings = settings
        self.clock = clock
        self.connections = [Connection(cid, loc) for loc, cid in settings.connections]
        self._cv = threading.Condition()
        self._stop = False
        self._token: str | None = None
        self._token_expires = 0.0
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._run, name="airbyte-trigger", daemon=True)
        self._thread.start()

    # -- called by the receiver ------------------------------------------------------------------------
    def event_stored(self, location_id: str) -> None:
        now = self.clock()
        with self._cv:
            for c in self.connections:
                if c.location_id not in (None, location_id):
                    continue
                if c.pending_since is None:
                    c.pending_since = now
                # Quiet for quiet_seconds, but events that never stop still start a sync after one interval.
                longest = max(self.settings.min_interval_seconds, self.settings.quiet_seconds)
                due = min(now + self.settings.quiet_seconds, c.pending_since + longest)
                if c.last_started is not None:
                    due = max(due, c.last_started + self.settings.min_interval_seconds)
                if c.failures == 0 or c.due is None:
                    c.due = due
            self._cv.notify()

    def stats(self) -> list[dict]:
        with self._cv:
            return [{"connectionId": c.connection_id, "locationId": c.location_id, "started": c.started,
                     "pending": c.due is not None, "failures": c.failures} for c in self.connections]

    def close(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify()
        self._thread.join(timeout=5)

    # -- the thread --------------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stop:
                    now = self.clock()
                    ready = [c for c in self.connections if c.due is not None and c.due <= now]
                    if ready:
                        break
                    dues = [c.due for c in self.connections if c.due is not None]
                    self._cv.wait(min(dues) - now if dues else None)
                if self._stop:
                    return
                for c in ready:
                    c.due = None
                    c.pending_since = None
            for c in ready:
                self._start(c)

    def _start(self, c: Connection) -> None:
        try:
            status = self._post_job(c.connection_id)
        except Exception as e:  # noqa: BLE001 - logged and retried, whatever it was
            status = type(e).__name__
        with self._cv:
            if status in (200, 201, 409):
                c.started += 1
                c.failures = 0
                c.last_started = self.clock()
                log.info("started Airbyte sync of connection %s%s", c.connection_id,
                         " (one was already running)" if status == 409 else "")
            else:
                delays = self.settings.retry_seconds
                delay = delays[min(c.failures, len(delays) - 1)]
                c.failures += 1
                retry_at = self.clock() + delay
                c.due = retry_at if c.due is None else min(c.due, retry_at)
                c.pending_since = c.pending_since or self.clock()
                log.warning("could not start the Airbyte sync of connection %s (%s); retrying in %g s",
                            c.connection_id, status, delay)
            self._cv.notify()

    def _bearer(self) -> str:
        s = self.settings
        if s.api_key:
            return s.api_key
        if self._token is None or self.clock() >= self._token_expires:
            r = self._session.post(f"{s.api_url}/applications/token", timeout=TIMEOUT_SECONDS,
                                   json={"client_id": s.client_id, "client_secret": s.client_secret,
                                         "grant-type": "client_credentials"})
            if r.status_code != 200:
                raise RuntimeError(f"token HTTP {r.status_code}")
            body = r.json()
            self._token = body["access_token"]
            # renew a little before it expires (Airbyte's last 3 minutes)
            self._token_expires = self.clock() + max(10.0, float(body.get("expires_in", 180)) - 30)
        return self._token

    def _post_job(self, connection_id: str):
        r = self._session.post(f"{self.settings.api_url}/jobs", timeout=TIMEOUT_SECONDS,
                               headers={"Authorization": f"Bearer {self._bearer()}", "Accept": "application/json"},
                               json={"connectionId": connection_id, "jobType": "sync"})
        if r.status_code == 401:
            self._token = None  # an expired application token: fetch a new one next time
        return r.status_code
