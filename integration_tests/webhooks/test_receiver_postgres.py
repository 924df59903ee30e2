"""`ghl-webhooks serve` on a real PostgreSQL server: two replicas share one store; a lost server answers 429."""
from __future__ import annotations

import base64
import time
import uuid
from datetime import datetime, timezone

import orjson
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from .receiver import ReceiverProcess


@pytest.fixture
def key():
    return ed25519.Ed25519PrivateKey.generate()


def replica(key, postgres, tmp_path, name: str, loc: str = "loc-1") -> ReceiverProcess:
    d = tmp_path / name
    d.mkdir()
    dsn_file = d / "dsn"
    dsn_file.write_text(postgres.dsn)
    pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return ReceiverProcess(pub, [loc], workdir=str(d), extra=["--postgres-dsn-file", str(dsn_file)]).start()


def signed(key, loc="loc-1", **over) -> tuple[bytes, dict]:
    e = {"type": "TaskDelete", "locationId": loc, "id": uuid.uuid4().hex[:20], "contactId": "c9",
         "timestamp": datetime.now(timezone.utc).isoformat(), "webhookId": str(uuid.uuid4()), **over}
    body = orjson.dumps(e)
    return body, {"content-type": "application/json", "x-ghl-signature": base64.b64encode(key.sign(body)).decode()}


def test_two_replicas_share_events_cursor_and_dedupe(key, postgres, tmp_path):
    a = replica(key, postgres, tmp_path, "a")
    b = replica(key, postgres, tmp_path, "b")
    try:
        sent = []
        for i in range(30):
            body, h = signed(key)
            target = a if i % 2 else b  # a load balancer spreading deliveries
            assert requests.post(target.url, data=body, headers=h, timeout=10).status_code == 200
            sent.append(orjson.loads(body)["webhookId"])
        body, h = signed(key)
        assert requests.post(a.url, data=body, headers=h, timeout=10).status_code == 200
        assert requests.post(b.url, data=body, headers=h, timeout=10).status_code == 409  # the other replica's
        sent.append(orjson.loads(body)["webhookId"])
        from_a = [e["webhookId"] for e in a.all_events()]
        from_b = [e["webhookId"] for e in b.all_events()]
        assert from_a == from_b == sent  # one store, commit order, exactly once
        page = a.events(0, "loc-1", limit=7)
        assert len(page["events"]) == 7 and page["has_more"]
        assert [e["webhookId"] for e in b.events(page["cursor"], limit=100)["events"]] == sent[7:]
    finally:
        a.stop()
        b.stop()


def test_a_lost_database_answers_429_and_recovers(key, postgres, tmp_path):
    r = replica(key, postgres, tmp_path, "c")
    try:
        body, h = signed(key)
        assert requests.post(r.url, data=body, headers=h, timeout=10).status_code == 200
        postgres.stop()
        body2, h2 = signed(key)
        resp = requests.post(r.url, data=body2, headers=h2, timeout=30)
        assert resp.status_code == 429 and resp.headers["retry-after"]
        postgres.start()
        end = time.time() + 20
        while True:  # GHL's retry of the same delivery, once the server is back
            resp = requests.post(r.url, data=body2, headers=h2, timeout=30)
            if resp.status_code != 429 or time.time() > end:
                break
            time.sleep(0.2)
        assert resp.status_code == 200
        assert [e["webhookId"] for e in r.all_events()][-1] == orjson.loads(body2)["webhookId"]
        assert r.stats()["unavailable"] >= 1
        assert "password" not in r.log_tail() and postgres.dsn not in r.log_tail()
    finally:
        r.stop()
