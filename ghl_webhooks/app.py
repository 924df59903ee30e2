"""The receiver's HTTP surface (ASGI, served by uvicorn in the worker process).

* `POST <path>` (default `/webhooks/ghl`): one GHL event. Checked in this order, each refusal counted:
  size (413 `oversized`), signature (401 `missing_signature` / `bad_signature`), JSON (400 `malformed`),
  replay window (401 `stale`), location (200 `ignored`: not ours, nothing to retry), then committed:
  200 `stored`, or 409 `replayed` when that webhookId is already stored. Storage that cannot commit, or a
  worker that is shutting down, answers 429 with Retry-After: GHL retries only a 429.
* `GET /events?after=CURSOR&location_id=ID&limit=N` (bearer token): stored events after a cursor, in
  commit order, `{"events": [...], "cursor": last, "has_more": bool}`.
* `GET /stats` (bearer token): counters since this worker started, and the Airbyte triggers (trigger.py). `GET /healthz`: liveness, no token.

Logs carry reasons, event types and ids only: never a payload's personal data, a signature or the token.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl

import orjson

from .settings import Settings
from .store import Unavailable, open_store
from .verify import Refused, check_fresh, check_signature, load_ed25519, load_rsa, parse_event

log = logging.getLogger("ghl_webhooks")

COUNTERS = ("received", "stored", "replayed", "ignored", "oversized", "missing_signature", "bad_signature",
            "malformed", "stale", "unavailable", "draining", "unauthorized")


class TooLarge(Exception):
    pass


class ReceiverApp:
    def __init__(self, settings: Settings, store=None):
        self.settings = settings
        self.ed_key = load_ed25519(settings.ed25519_public_key_pem.encode())
        self.rsa_key = load_rsa(settings.rsa_public_key_pem.encode()) if settings.rsa_public_key_pem else None
        self.locations = set(settings.locations)
        self.store = store or open_store(settings)
        # One writer thread: SQLite allows one writer anyway, and commit order stays arrival order.
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="ghl-webhooks-writer")
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="ghl-webhooks-reader")
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.draining = False
        self.started = time.time()
        self.trigger = None
        if settings.airbyte_connections:
            from .trigger import AirbyteTrigger, TriggerSettings

            self.trigger = AirbyteTrigger(TriggerSettings(
                settings.airbyte_api_url, settings.airbyte_connections, settings.airbyte_api_key,
                settings.airbyte_client_id, settings.airbyte_client_secret, settings.trigger_quiet_seconds,
                settings.trigger_min_interval_seconds))

    # -- ASGI -------------------------------------------------------------------------------------------
    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if path == self.settings.path and method == "POST":
            status, body, extra = await self.receive_event(headers, receive)
        elif path == "/events" and method == "GET":
            status, body, extra = await self.serve_events(headers, scope.get("query_string", b""))
        elif path == "/stats" and method == "GET":
            status, body, extra = self.serve_stats(headers)
        elif path == "/healthz" and method == "GET":
            status, body, extra = 200, {"ok": not self.draining, "worker_pid": os.getpid()}, []
        else:
            status, body, extra = 404, {"error": "not found"}, []
        data = orjson.dumps(body)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                                *extra]})
        await send({"type": "http.response.body", "body": data})

    # -- receiving --------------------------------------------------------------------------------------
    async def _body(self, headers: dict, receive) -> bytes:
        limit = self.settings.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise TooLarge()
        chunks, size, more = [], 0, True
        while more:
            msg = await receive()
            if msg["type"] != "http.request":
                break
            chunk = msg.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise TooLarge()
            chunks.append(chunk)
            more = msg.get("more_body", False)
        return b"".join(chunks)

    def _retry_later(self, reason: str):
        self.counts[reason] += 1
        return 429, {"error": "try again later"}, [(b"retry-after", str(self.settings.retry_after_seconds).encode())]

    async def receive_event(self, headers: dict, receive):
        self.counts["received"] += 1
        if self.draining:
            return self._retry_later("draining")
        try:
            body = await self._body(headers, receive)
        except TooLarge:
            self.counts["oversized"] += 1
            log.warning("refused: oversized body")
            return 413, {"error": "body too large"}, []
        try:
            check_signature(body, headers, self.ed_key, self.rsa_key)
            event = parse_event(body)
            check_fresh(event, time.time(), self.settings.replay_window_seconds)
        except Refused as r:
            self.counts[r.reason] += 1
            log.warning("refused: %s", r.reason)
            return r.status, {"error": r.detail}, []
        wid = event["webhookId"]
        if event["locationId"] not in self.locations:
            self.counts["ignored"] += 1
            log.info("ignored %s %s: location not configured", event["type"], wid)
            return 200, {"ignored": True}, []
        if self.draining:
            return self._retry_later("draining")
        try:
            stored = await asyncio.get_running_loop().run_in_executor(self._writer, self.store.insert, event, body)
        except Unavailable as e:
            log.warning("storage unavailable (%s): answering 429 for %s", e, wid)
            return self._retry_later("unavailable")
        if not stored:
            self.counts["replayed"] += 1
            log.warning("refused: replayed webhookId %s", wid)
            return 409, {"error": "webhookId already stored"}, []
        self.counts["stored"] += 1
        if self.trigger is not None:
            self.trigger.event_stored(event["locationId"])  # never waits: the trigger has its own thread
        return 200, {"stored": True}, []

    # -- serving ----------------------------------------------------------------------------------------
    def _authorized(self, headers: dict) -> bool:
        auth = headers.get("authorization", "")
        given = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        ok = bool(given) and hmac.compare_digest(given.encode(), self.settings.token.encode())
        if not ok:
            self.counts["unauthorized"] += 1
        return ok

    async def serve_events(self, headers: dict, query_string: bytes):
        if not self._authorized(headers):
            return 401, {"error": "a valid bearer token is required"}, []
        q = dict(parse_qsl(query_string.decode("utf-8", "replace")))
        try:
            after = int(q.get("after", "0") or 0)
            limit = min(int(q.get("limit", self.settings.page_limit)), self.settings.page_limit)
        except ValueError:
            return 400, {"error": "after and limit must be integers"}, []
        if limit < 1:
            return 400, {"error": "limit must be at least 1"}, []
        location = q.get("location_id") or None
        try:
            rows = await asyncio.get_running_loop().run_in_executor(self._reader, self.store.read, after, location,
                                                                    limit + 1)
        except Unavailable:
            return 503, {"error": "storage unavailable"}, [(b"retry-after", b"5")]
        more = len(rows) > limit
        rows = rows[:limit]
        return 200, {"events": rows, "cursor": rows[-1]["cursor"] if rows else after, "has_more": more}, []

    def serve_stats(self, headers: dict):
        if not self._authorized(headers):
            return 401, {"error": "a valid bearer token is required"}, []
        triggers = self.trigger.stats() if self.trigger is not None else []
        return 200, {"counts": self.counts, "worker_pid": os.getpid(), "since": self.started,
                     "airbyte_triggers": triggers}, []

    def close(self) -> None:
        if self.trigger is not None:
            self.trigger.close()
        self._writer.shutdown(wait=True)
        self._reader.shutdown(wait=True)
        self.store.close()
