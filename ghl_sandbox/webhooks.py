"""GHL-shaped webhook events, signed and delivered the way GHL delivers them (BEHAVIOUR 7).

* Every write (API route or `/_sandbox/mutate`) calls one of the `*_event` helpers below; with no receiver
  registered they return at once, so the sandbox costs nothing extra unless a test asks for webhooks.
* Payloads are the flat shapes of the vendored webhook docs (`ghl_api/webhook-events/`): contact, task and
  note events carry the record's fields at the top level; appointment events nest it under `appointment`.
  Each carries `type`, `locationId`, `timestamp` and `webhookId` (`ghl_api/oauth/WebhookAuthentication.md`).
* Signatures cover exactly the body bytes sent: `x-ghl-signature` is base64 Ed25519, always;
  `x-wh-signature` (legacy) is base64 RSA PKCS#1 v1.5 over SHA-256, for receivers registered with `rsa`.
  The keys are the sandbox's own (GHL's private keys are not public); `/_sandbox/webhooks/keys` serves the
  public halves as PEM.
* Delivery runs on background threads, never on the request path. GHL retries **only** on 429: up to 6
  times, about 10 minutes apart with jitter; `retry_scale` shrinks those intervals for tests. Any other
  answer, a timeout or a refused connection drops the event, counted in `/_sandbox/stats` under `webhooks`.
"""
from __future__ import annotations

import base64
import heapq
import http.client
import logging
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import orjson

from .util import iso_ms, now_ms

log = logging.getLogger("ghl_sandbox.webhooks")

MAX_RETRIES = 6  # GHL: "up to 6 times"
RETRY_INTERVAL_SECONDS = 600.0  # GHL: about 10 minutes apart
RETRY_JITTER = 0.2  # +-20 % of the interval
SENDER_THREADS = 4  # deliveries in flight at once, like a sender that does not wait on one slow receiver
ID_LOG_LIMIT = 200_000  # webhookIds kept per outcome for /_sandbox/webhooks (tests compare them with stores)

CONTACT_KEYS = ("id", "address1", "city", "state", "postalCode", "country", "companyName", "source", "dateAdded",
                "dateOfBirth", "dnd", "email", "name", "firstName", "lastName", "phone", "tags", "website",
                "attachments", "assignedTo", "customFields")
TASK_KEYS = ("id", "title", "body", "contactId", "assignedTo", "dateAdded", "dueDate")
NOTE_KEYS = ("id", "body", "contactId", "dateAdded")
APPOINTMENT_KEYS = ("id", "calendarId", "contactId", "groupId", "title", "address", "appointmentStatus",
                    "assignedUserId", "users", "notes", "source", "startTime", "endTime", "dateAdded",
                    "dateUpdated")


@dataclass
class Receiver:
    id: str
    url: str
    rsa: bool = False
    location_id: str | None = None  # None: every location


@dataclass(order=True)
class _Delivery:
    due: float
    seq: int
    receiver: Receiver = field(compare=False)
    webhook_id: str = field(compare=False)
    body: bytes = field(compare=False)
    attempt: int = field(default=0, compare=False)


class Keys:
    """The sandbox's signing keys; the RSA pair is made on first use (it takes a while to generate)."""

    def __init__(self):
        from cryptography.hazmat.primitives.asymmetric import ed25519

        self.ed25519 = ed25519.Ed25519PrivateKey.generate()
        self._rsa = None
        self._lock = threading.Lock()

    @property
    def rsa(self):
        with self._lock:
            if self._rsa is None:
                from cryptography.hazmat.primitives.asymmetric import rsa

                self._rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return self._rsa

    def sign_ed25519(self, body: bytes) -> str:
        return base64.b64encode(self.ed25519.sign(body)).decode()

    def sign_rsa(self, body: bytes) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return base64.b64encode(self.rsa.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()

    def public_pem(self) -> dict:
        from cryptography.hazmat.primitives import serialization

        def pem(key) -> str:
            return key.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo).decode()

        return {"ed25519": pem(self.ed25519), "rsa": pem(self.rsa)}


class Counters:
    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.emitted = 0
        self.delivered = 0
        self.retried = 0
        self.dropped = 0
        self.dropped_by_reason: dict[str, int] = {}
        self.delivered_ids: list[str] = []
        self.dropped_ids: list[str] = []

    def to_dict(self, pending: int) -> dict:
        return {"emitted": self.emitted, "delivered": self.delivered, "retried": self.retried,
                "dropped": self.dropped, "dropped_by_reason": dict(self.dropped_by_reason), "pending": pending}


class WebhookSender:
    def __init__(self, retry_scale: float = 1.0, timeout_seconds: float = 10.0, seed: int = 1):
        self.keys = Keys()
        self.receivers: dict[str, Receiver] = {}
        self.retry_scale = retry_scale
        self.timeout_seconds = timeout_seconds
        self.counters = Counters()
        self._heap: list[_Delivery] = []
        self._cv = threading.Condition()
        self._seq = 0
        self._in_flight = 0
        self._rng = random.Random(f"ghl-sandbox:{seed}:webhooks")
        self._threads: list[threading.Thread] = []

    # -- admin -------------------------------------------------------------------------------------------
    def register(self, url: str, rsa: bool = False, location_id: str | None = None) -> Receiver:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError("url must be an http:// URL (the sandbox delivers to local receivers)")
        r = Receiver(uuid.uuid4().hex[:12], url, bool(rsa), location_id)
        if r.rsa:
            _ = self.keys.rsa  # make the key now, not on the first delivery
        with self._cv:
            self.receivers[r.id] = r
        self._start_threads()
        return r

    def unregister(self, receiver_id: str) -> bool:
        with self._cv:
            return self.receivers.pop(receiver_id, None) is not None

    def reset(self) -> None:
        with self._cv:
            self.receivers.clear()
            self._heap.clear()
            self.counters.reset()

    def view(self) -> dict:
        with self._cv:
            return {"receivers": [vars(r) for r in self.receivers.values()], "retry_scale": self.retry_scale,
                    "timeout_seconds": self.timeout_seconds,
                    **self.counters.to_dict(len(self._heap) + self._in_flight),
                    "delivered_ids": list(self.counters.delivered_ids),
                    "dropped_ids": list(self.counters.dropped_ids)}

    def stats(self) -> dict:
        with self._cv:
            return self.counters.to_dict(len(self._heap) + self._in_flight)

    # -- emitting ----------------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return bool(self.receivers)

    def emit(self, event_type: str, location_id: str, data: dict) -> None:
        """Queue one event for every receiver of `location_id`; returns at once."""
        if not self.receivers:
            return
        targets = [r for r in list(self.receivers.values()) if r.location_id in (None, location_id)]
        if not targets:
            return
        with self._cv:
            for r in targets:
                webhook_id = str(uuid.uuid4())
                payload = {"type": event_type, "locationId": location_id, **data,
                           "timestamp": iso_ms(now_ms()), "webhookId": webhook_id}
                self._seq += 1
                heapq.heappush(self._heap, _Delivery(time.monotonic(), self._seq, r, webhook_id,
                                                     orjson.dumps(payload)))
                self.counters.emitted += 1
            self._cv.notify(len(targets))

    # -- delivering --------------------------------------------------------------------------------------
    def _start_threads(self) -> None:
        if self._threads:
            return
        for i in range(SENDER_THREADS):
            t = threading.Thread(target=self._run, name=f"webhook-sender-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def _next(self) -> _Delivery:
        with self._cv:
            while True:
                now = time.monotonic()
                if self._heap and self._heap[0].due <= now:
                    self._in_flight += 1
                    return heapq.heappop(self._heap)
                self._cv.wait(None if not self._heap else self._heap[0].due - now)

    def _run(self) -> None:
        while True:
            d = self._next()
            try:
                outcome = self._post(d)
            except Exception as e:  # noqa: BLE001 - any failure to deliver is GHL's "not 429"
                outcome = type(e).__name__
            with self._cv:
                self._in_flight -= 1
                self._settle(d, outcome)

    def _settle(self, d: _Delivery, outcome) -> None:
        c = self.counters
        if outcome == 429 and d.attempt < MAX_RETRIES:
            d.attempt += 1
            c.retried += 1
            jitter = 1.0 + self._rng.uniform(-RETRY_JITTER, RETRY_JITTER)
            d.due = time.monotonic() + RETRY_INTERVAL_SECONDS * self.retry_scale * jitter
            heapq.heappush(self._heap, d)
            self._cv.notify()
        elif isinstance(outcome, int) and 200 <= outcome < 300:
            c.delivered += 1
            if len(c.delivered_ids) < ID_LOG_LIMIT:
                c.delivered_ids.append(d.webhook_id)
        else:
            reason = "429 retries exhausted" if outcome == 429 else str(outcome)
            c.dropped += 1
            c.dropped_by_reason[reason] = c.dropped_by_reason.get(reason, 0) + 1
            if len(c.dropped_ids) < ID_LOG_LIMIT:
                c.dropped_ids.append(d.webhook_id)

    def _post(self, d: _Delivery) -> int:
        """One attempt on a fresh connection (so a receiver restart never meets a stale keep-alive)."""
        parts = urlsplit(d.receiver.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=self.timeout_seconds)
        headers = {"content-type": "application/json", "x-ghl-signature": self.keys.sign_ed25519(d.body)}
        if d.receiver.rsa:
            headers["x-wh-signature"] = self.keys.sign_rsa(d.body)
        try:
            conn.request("POST", parts.path or "/", body=d.body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            return resp.status
        finally:
            conn.close()


# -- payloads (the shapes of ghl_api/webhook-events/*.md) ----------------------------------------------
def _pick(record: dict, keys) -> dict:
    return {k: record[k] for k in keys if k in record}


def contact_payload(c: dict) -> dict:
    out = _pick(c, CONTACT_KEYS)
    name = " ".join(x for x in (c.get("firstName"), c.get("lastName")) if x)
    if name and "name" not in out:
        out["name"] = name
    if "customFields" in out:
        out["customFields"] = [{"id": f.get("id"), "value": f.get("value")} for f in out["customFields"]]
    return out


def contact_created(sb, c: dict) -> None:
    if sb.webhooks.active:
        sb.webhooks.emit("ContactCreate", c["locationId"], contact_payload(c))


def contact_changed(sb, before: dict | None, after: dict) -> None:
    """ContactTagUpdate and ContactDndUpdate for those fields, ContactUpdate for any other change."""
    if not sb.webhooks.active:
        return
    loc = after["locationId"]
    payload = contact_payload(after)
    before = before or {}
    if before.get("tags") != after.get("tags"):
        sb.webhooks.emit("ContactTagUpdate", loc, payload)
    if before.get("dnd") != after.get("dnd") or before.get("dndSettings") != after.get("dndSettings"):
        sb.webhooks.emit("ContactDndUpdate", loc, {**payload, "dndSettings": after.get("dndSettings", {})})
    ignore = {"tags", "dnd", "dndSettings", "dateUpdated"}
    if any(before.get(k) != after.get(k) for k in set(before) | set(after) if k not in ignore and k[0] != "_"):
        sb.webhooks.emit("ContactUpdate", loc, payload)


def contact_deleted(sb, c: dict | None) -> None:
    if c is not None and sb.webhooks.active:
        sb.webhooks.emit("ContactDelete", c["locationId"], contact_payload(c))


def task_event(sb, event_type: str, location_id: str, task: dict, date_added_ms: int | None = None) -> None:
    if sb.webhooks.active:
        t = dict(task)
        if date_added_ms is not None:
            t.setdefault("dateAdded", iso_ms(date_added_ms))
        sb.webhooks.emit(event_type, location_id, _pick(t, TASK_KEYS))


def note_event(sb, event_type: str, location_id: str, note: dict) -> None:
    if sb.webhooks.active:
        sb.webhooks.emit(event_type, location_id, _pick(note, NOTE_KEYS))


def appointment_event(sb, event_type: str, location_id: str, event: dict) -> None:
    if sb.webhooks.active:
        sb.webhooks.emit(event_type, location_id, {"appointment": _pick(event, APPOINTMENT_KEYS)})
