"""Throughput of `ghl-webhooks serve`: signed events stored per second, SQLite and PostgreSQL.

    .venv/bin/python bench/webhooks.py [--events 3000] [--connections 4] [--storage sqlite,postgres]

Starts the real receiver (supervisor + worker) on a free port, with a PostgreSQL server from Debian's package
for the PostgreSQL run (packaging/install-postgres.sh), then posts pre-signed GHL-shaped events from
`--connections` keep-alive connections, each waiting for its answer (as GHL's sender does), and checks that
every one was answered 200 and is stored. Client and receiver share the machine's cores: the figure is what
one machine does, not the receiver alone. Prints one JSON line per storage.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: E402

from integration_tests.webhooks.postgres import PostgresServer  # noqa: E402
from integration_tests.webhooks.receiver import ReceiverProcess  # noqa: E402

LOCATION = "bench-location"


def signed_events(key, n: int) -> list[tuple[bytes, dict]]:
    out = []
    for i in range(n):
        e = {"type": "NoteCreate", "locationId": LOCATION, "id": f"note{i:08d}", "body": "Called again.",
             "contactId": f"contact{i % 500:05d}", "dateAdded": "2026-01-01T00:00:00.000Z",
             "timestamp": datetime.now(timezone.utc).isoformat(), "webhookId": str(uuid.uuid4())}
        body = json.dumps(e).encode()
        out.append((body, {"content-type": "application/json",
                           "x-ghl-signature": base64.b64encode(key.sign(body)).decode()}))
    return out


def drive(url: str, events: list, connections: int) -> tuple[float, dict]:
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    path = "/" + url.split("//", 1)[1].split("/", 1)[1]
    statuses: dict = {}
    lock = threading.Lock()

    def worker(share):
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        for body, headers in share:
            conn.request("POST", path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(events[i::connections],)) for i in range(connections)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, statuses


def run(storage: str, n: int, connections: int) -> dict:
    key = ed25519.Ed25519PrivateKey.generate()
    pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    work = tempfile.mkdtemp(prefix="bench-webhooks-")
    pg = None
    extra: list[str] = []
    if storage == "postgres":
        pg = PostgresServer().start()
        dsn_file = os.path.join(work, "dsn")
        with open(dsn_file, "w") as f:
            f.write(pg.dsn)
        extra = ["--postgres-dsn-file", dsn_file]
    rcv = ReceiverProcess(pub, [LOCATION], workdir=work, extra=extra).start()
    try:
        events = signed_events(key, n)
        drive(rcv.url, signed_events(key, 50), connections)  # warm up: connections, first pages
        seconds, statuses = drive(rcv.url, events, connections)
        stored = len(rcv.all_events())
        ok = statuses.get(200, 0) == n and stored == n + 50
        return {"storage": storage, "events": n, "connections": connections, "seconds": round(seconds, 2),
                "stored_per_second": round(n / seconds), "statuses": statuses, "all_stored": ok}
    finally:
        rcv.stop()
        if pg is not None:
            pg.cleanup()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=3000)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--storage", default="sqlite,postgres")
    a = p.parse_args()
    failed = False
    for storage in a.storage.split(","):
        result = run(storage, a.events, a.connections)
        print(json.dumps(result), flush=True)
        failed |= not result["all_stored"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
