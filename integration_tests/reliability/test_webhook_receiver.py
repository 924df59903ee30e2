"""ghl-webhooks under a burst with its worker SIGKILLed twice, and under every kind of bad request.

The sandbox delivers as GHL does (only a 429 is retried), so a delivery that fails while the worker is dead
is lost by the sender itself: the figures say how many. What must hold: every delivery the receiver
acknowledged (2xx) is stored exactly once, and the only events missing are ones the sandbox reports dropped.
"""
from __future__ import annotations

import base64
import os
import signal
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from ghl_sandbox.process import SandboxProcess
from integration_tests.webhooks.receiver import ReceiverProcess

from .figures import FIGURES

BURST = 2000
KILL_AT = (500, 1200)  # deliveries acknowledged when each SIGKILL lands


def worker_pids(supervisor_pid: int) -> list[int]:
    with open(f"/proc/{supervisor_pid}/task/{supervisor_pid}/children") as f:
        return [int(p) for p in f.read().split()]


def wait_for(predicate, timeout: float, what: str):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def sandbox():
    with SandboxProcess(seed=3, contacts=30) as sb:
        yield sb


def test_a_burst_with_two_worker_kills_loses_no_acknowledged_event(sandbox, tmp_path):
    rcv = ReceiverProcess(sandbox.webhook_keys()["ed25519"], [sandbox.location_id], workdir=str(tmp_path)).start()
    try:
        sandbox.register_webhook(rcv.url)
        contact = sandbox.dump()["contacts"][0]["id"]
        kills: list[int] = []

        def killer():
            for at in KILL_AT:
                wait_for(lambda: sandbox.stats()["webhooks"]["delivered"] >= at, 120, f"{at} deliveries")
                pid = worker_pids(rcv.proc.pid)[0]
                os.kill(pid, signal.SIGKILL)
                kills.append(pid)
                wait_for(lambda: worker_pids(rcv.proc.pid) and worker_pids(rcv.proc.pid)[0] != pid, 30,
                         "a new worker")

        t = threading.Thread(target=killer)
        t.start()
        for _ in range(BURST // 100):  # 2,000 NoteCreate events, queued as fast as the sandbox writes
            sandbox.mutate(add_notes=100, contactId=contact)
        t.join(180)
        assert len(kills) == 2 and not t.is_alive()
        w = wait_for(lambda: (lambda v: v if v["pending"] == 0 else None)(sandbox.webhooks()), 120,
                     "the sandbox to finish delivering")
        stored = rcv.all_events()
        stored_ids = [e["webhookId"] for e in stored]
        assert w["emitted"] == BURST and w["delivered"] + w["dropped"] == BURST
        assert len(stored_ids) == len(set(stored_ids))  # exactly once
        assert set(w["delivered_ids"]) <= set(stored_ids)  # none acknowledged is lost
        emitted_missing = BURST - len(stored_ids)
        assert emitted_missing <= w["dropped"]
        assert set(stored_ids) | set(w["dropped_ids"]) == set(w["delivered_ids"]) | set(w["dropped_ids"])
        assert w["dropped"] <= 2 * 4  # at most the deliveries in flight at each kill (4 sender threads)
        FIGURES.add("webhook events sent", BURST)
        FIGURES.add("webhook receiver workers killed", len(kills))
        FIGURES.add("webhook deliveries dropped by the sender (worker killed mid-request)", w["dropped"])
        FIGURES.add("webhook events missing from the receiver", emitted_missing)
        FIGURES.add("webhook events stored although the sender saw a failure", w["dropped"] - emitted_missing)
    finally:
        rcv.stop()


def _signed(key, body: bytes) -> dict:
    return {"content-type": "application/json", "x-ghl-signature": base64.b64encode(key.sign(body)).decode()}


def test_forged_wrong_key_stale_replayed_oversized_malformed_are_each_refused(sandbox, tmp_path):
    key = ed25519.Ed25519PrivateKey.generate()
    pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    rcv = ReceiverProcess(pub, [sandbox.location_id], workdir=str(tmp_path), extra=["--max-body-bytes", "8192"]).start()
    loc = sandbox.location_id

    def event(**over) -> bytes:
        e = {"type": "ContactDelete", "locationId": loc, "id": uuid.uuid4().hex[:20],
             "timestamp": datetime.now(timezone.utc).isoformat(), "webhookId": str(uuid.uuid4()), **over}
        return orjson.dumps(e)

    try:
        good = event()
        sent = {
            "forged": requests.post(rcv.url, data=event(), headers={
                "content-type": "application/json",
                "x-ghl-signature": base64.b64encode(os.urandom(64)).decode()}, timeout=10),
            "wrong key": requests.post(rcv.url, data=event(), headers=_signed(ed25519.Ed25519PrivateKey.generate(),
                                                                              event()), timeout=10),
            "stale": None, "replayed": None, "oversized": None, "malformed": None,
        }
        assert requests.post(rcv.url, data=good, headers=_signed(key, good), timeout=10).status_code == 200
        stale = event(timestamp=(datetime.now(timezone.utc) - timedelta(seconds=301)).isoformat())
        big = event(name="x" * 9000)
        broken = b'{"type": "ContactDelete", "locationId": "' + loc.encode() + b'"'
        for name, body in (("stale", stale), ("replayed", good), ("oversized", big), ("malformed", broken)):
            sent[name] = requests.post(rcv.url, data=body, headers=_signed(key, body), timeout=10)
        # the sandbox's own events, signed with the sandbox's key, which this receiver does not trust
        reg = sandbox.register_webhook(rcv.url)
        sandbox.mutate(update=3, seed=2)
        w = wait_for(lambda: (lambda v: v if v["pending"] == 0 else None)(sandbox.webhooks()), 30, "delivery")
        sandbox.unregister_webhook(reg["id"])
        statuses = {k: r.status_code for k, r in sent.items()}
        assert statuses == {"forged": 401, "wrong key": 401, "stale": 401, "replayed": 409, "oversized": 413,
                            "malformed": 400}
        assert w["dropped_by_reason"] == {"401": 3}
        counts = rcv.stats()
        assert counts == {**counts, "bad_signature": 5, "stale": 1, "replayed": 1, "oversized": 1, "malformed": 1,
                          "stored": 1}
        assert [e["webhookId"] for e in rcv.all_events()] == [orjson.loads(good)["webhookId"]]
        after = event()
        assert requests.post(rcv.url, data=after, headers=_signed(key, after), timeout=10).status_code == 200
        for name in statuses:
            FIGURES.add(f"webhook requests refused: {name}")
        FIGURES.add("webhook requests refused: sandbox events under another key", 3)
    finally:
        rcv.stop()
