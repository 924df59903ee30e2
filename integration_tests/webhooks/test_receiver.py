"""`ghl-webhooks serve` (the real console script) receiving from the real sandbox over HTTP."""
from __future__ import annotations

import base64
import os
import signal
import sqlite3
import time
import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from .receiver import ReceiverProcess


def settle(sb, timeout=30) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        w = sb.webhooks()
        if w["pending"] == 0:
            return w
        time.sleep(0.05)
    raise AssertionError(f"sandbox still delivering: {w['pending']} pending")


def pem(private_key) -> str:
    return private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def event(location_id: str, **over) -> dict:
    e = {"type": "NoteCreate", "locationId": location_id, "id": uuid.uuid4().hex[:20], "body": "hello",
         "contactId": "c1", "dateAdded": "2026-01-01T00:00:00.000Z",
         "timestamp": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"), "webhookId": str(uuid.uuid4())}
    e.update(over)
    return e


def post(r: ReceiverProcess, body: bytes, key=None, headers=None) -> requests.Response:
    h = {"content-type": "application/json", **(headers or {})}
    if key is not None:
        h["x-ghl-signature"] = base64.b64encode(key.sign(body)).decode()
    return requests.post(r.url, data=body, headers=h, timeout=10)


def test_sandbox_events_are_stored_once_and_served_in_pages(sandbox_factory, receiver_factory):
    sb = sandbox_factory(locations=2, contacts=20)
    loc, other = sb.health()["locations"]
    rcv = receiver_factory(sb, locations=[loc])
    sb.register_webhook(rcv.url)
    sb.mutate(loc, add=3, update=4, delete=2, add_notes=3, add_tasks=2, complete_tasks=1, seed=5)
    sb.mutate(other, update=2, seed=6)  # a location the receiver is not configured for: ignored
    w = settle(sb)
    assert w["dropped"] == 0 and w["delivered"] == w["emitted"]
    stored = rcv.all_events()
    assert all(e["locationId"] == loc for e in stored)
    ours = [e for e in stored]
    assert len({e["webhookId"] for e in ours}) == len(ours)  # once each
    counts = rcv.stats()
    assert counts["stored"] == len(ours) and counts["ignored"] == 2
    assert {e["type"] for e in ours} >= {"ContactCreate", "ContactDelete", "NoteCreate", "TaskCreate",
                                         "TaskComplete"}
    deleted = [e for e in ours if e["type"] == "ContactDelete"]
    assert len(deleted) == 2 and all(e["objectId"] == e["contactId"] == e["payload"]["id"] for e in deleted)
    # paging: cursors strictly increase, pages join up to the whole, location filter
    seen, cursor = [], 0
    while True:
        page = rcv.events(cursor, loc, limit=4)
        assert len(page["events"]) <= 4
        seen += page["events"]
        assert page["cursor"] >= cursor
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert [e["webhookId"] for e in seen] == [e["webhookId"] for e in stored]
    assert [e["cursor"] for e in seen] == sorted(e["cursor"] for e in seen)
    assert rcv.events(cursor)["events"] == []
    assert rcv.events(0, other)["events"] == []
    r = requests.get(rcv.base_url + "/events", timeout=10)
    assert r.status_code == 401
    r = requests.get(rcv.base_url + "/events", headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert r.status_code == 401 and "receiver-token" not in r.text


def test_every_bad_request_is_refused_counted_and_not_stored(sandbox, receiver_factory, tmp_path):
    key = ed25519.Ed25519PrivateKey.generate()
    forger = ed25519.Ed25519PrivateKey.generate()
    rcv = ReceiverProcess(pem(key), [sandbox.location_id], workdir=str(tmp_path),
                          extra=["--max-body-bytes", "4096"]).start()
    try:
        loc = sandbox.location_id
        good = orjson.dumps(event(loc))
        assert post(rcv, good, key).status_code == 200
        stale = event(loc, timestamp=(datetime.now(timezone.utc) - timedelta(minutes=6)).isoformat())
        cases = {
            "bad_signature": post(rcv, orjson.dumps(event(loc)), forger),
            "missing_signature": post(rcv, orjson.dumps(event(loc))),
            "stale": post(rcv, orjson.dumps(stale), key),
            "replayed": post(rcv, good, key),
            "oversized": post(rcv, orjson.dumps(event(loc, body="x" * 5000)), key),
            "malformed": post(rcv, b'{"type": "NoteCreate", "webhookId": ', key),
        }
        tampered = good.replace(b"hello", b"HELLO")
        assert post(rcv, tampered, headers={"x-ghl-signature": base64.b64encode(key.sign(good)).decode()}
                    ).status_code == 401
        no_id = orjson.dumps({k: v for k, v in event(loc).items() if k != "webhookId"})
        assert post(rcv, no_id, key).status_code == 400
        assert {k: r.status_code for k, r in cases.items()} == {
            "bad_signature": 401, "missing_signature": 401, "stale": 401, "replayed": 409, "oversized": 413,
            "malformed": 400}
        # the sandbox's events are signed with another key than this receiver trusts: refused too
        reg = sandbox.register_webhook(rcv.url)
        sandbox.mutate(update=2, seed=9)
        w = settle(sandbox)
        sandbox.unregister_webhook(reg["id"])
        assert w["dropped_by_reason"].get("401") == 2
        counts = rcv.stats()
        assert counts == {**counts, "stored": 1, "replayed": 1, "stale": 1, "oversized": 1, "malformed": 2,
                          "missing_signature": 1, "bad_signature": 4}
        assert len(rcv.all_events()) == 1
        ok = orjson.dumps(event(loc))
        assert post(rcv, ok, key).status_code == 200  # still serving
        log = rcv.log_tail(100_000)
        assert "hello" not in log and "receiver-token" not in log
    finally:
        rcv.stop()


def test_legacy_rsa_only_when_enabled(sandbox, receiver_factory):
    loc = sandbox.location_id
    keys = sandbox.webhook_keys()
    plain = receiver_factory(sandbox)
    key_file = os.path.join(plain.dir, "rsa.pem")
    with open(key_file, "w") as f:
        f.write(keys["rsa"])
    legacy = receiver_factory(sandbox, extra=["--legacy-rsa", "--rsa-public-key-file", key_file])
    other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    body = orjson.dumps(event(loc))
    sig = base64.b64encode(other_rsa.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
    assert post(legacy, body, headers={"x-wh-signature": sig}).status_code == 401  # wrong RSA key
    reg = sandbox.register_webhook(legacy.url, rsa=True)
    sandbox.mutate(update=1, seed=11)
    settle(sandbox)
    sandbox.unregister_webhook(reg["id"])
    assert legacy.stats()["stored"] == 1  # x-ghl-signature verified (checked first)
    # With only x-wh-signature: the legacy receiver accepts the sandbox's RSA signature, the other refuses.
    assert post(plain, body, headers={"x-wh-signature": sig}).status_code == 401
    assert plain.stats()["missing_signature"] == 1


def test_storage_that_cannot_commit_answers_429_and_ghl_retry_delivers(sandbox, receiver_factory):
    rcv = receiver_factory(sandbox, extra=["--sqlite-busy-timeout-ms", "200"])
    reg = sandbox.register_webhook(rcv.url, retry_scale=0.002)  # ~1.2 s between GHL's retries
    lock = sqlite3.connect(rcv.db, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    try:
        sandbox.mutate(update=1, seed=12)
        end = time.time() + 20
        while sandbox.webhooks()["retried"] < 1 and time.time() < end:
            time.sleep(0.05)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    w = settle(sandbox)
    sandbox.unregister_webhook(reg["id"])
    assert w["retried"] >= 1 and w["dropped"] == 0 and w["delivered"] == 1
    assert rcv.stats()["unavailable"] >= 1
    assert [e["webhookId"] for e in rcv.all_events()] == w["delivered_ids"]


def test_a_full_database_answers_429(sandbox, receiver_factory, tmp_path):
    key = ed25519.Ed25519PrivateKey.generate()
    rcv = ReceiverProcess(pem(key), [sandbox.location_id], workdir=str(tmp_path),
                          extra=["--max-db-mb", "0.1"]).start()
    try:
        statuses = [post(rcv, orjson.dumps(event(sandbox.location_id, body="n" * 3000)), key).status_code
                    for _ in range(60)]
        assert statuses[0] == 200 and statuses[-1] == 429
        assert set(statuses) == {200, 429} and statuses.index(429) == statuses.count(200)
        assert len(rcv.all_events()) == statuses.count(200)
    finally:
        rcv.stop()


def test_a_killed_worker_is_replaced_while_the_socket_keeps_queuing(sandbox, receiver_factory, tmp_path):
    key = ed25519.Ed25519PrivateKey.generate()
    rcv = ReceiverProcess(pem(key), [sandbox.location_id], workdir=str(tmp_path)).start()
    try:
        pid = rcv.worker_pid()
        os.kill(pid, signal.SIGKILL)
        # Sent right after the kill: it waits in the backlog for the next worker instead of being refused.
        r = post(rcv, orjson.dumps(event(sandbox.location_id)), key)
        assert r.status_code == 200
        assert rcv.worker_pid() != pid
        assert len(rcv.all_events()) == 1
    finally:
        assert rcv.stop() == 0


def test_refuses_a_remote_bind_and_a_missing_token(sandbox, tmp_path):
    key_file = tmp_path / "k.pem"
    key_file.write_text(pem(ed25519.Ed25519PrivateKey.generate()))
    from .receiver import BIN
    import subprocess
    env = {k: v for k, v in os.environ.items() if k != "GHL_WEBHOOKS_TOKEN"}
    r = subprocess.run([BIN, "serve", "--location", "x", "--public-key-file", str(key_file), "--port", "0"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "GHL_WEBHOOKS_TOKEN" in r.stderr
    r = subprocess.run([BIN, "serve", "--location", "x", "--public-key-file", str(key_file), "--host", "0.0.0.0"],
                       capture_output=True, text=True, env=dict(env, GHL_WEBHOOKS_TOKEN="t"), timeout=60)
    assert r.returncode == 2 and "loopback" in r.stderr
    bad = tmp_path / "rsa.pem"
    bad.write_text(sandbox.webhook_keys()["rsa"])
    r = subprocess.run([BIN, "serve", "--location", "x", "--public-key-file", str(bad), "--port", "0"],
                       capture_output=True, text=True, env=dict(env, GHL_WEBHOOKS_TOKEN="t"), timeout=60)
    assert r.returncode == 2 and "Ed25519" in r.stderr


@pytest.fixture
def sandbox():
    from ghl_sandbox.process import SandboxProcess

    with SandboxProcess(seed=7, contacts=20) as sb:
        yield sb
