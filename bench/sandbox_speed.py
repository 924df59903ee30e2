"""Serving rate of the sandbox: `GET /contacts/{id}/notes`, no latency, no rate limit.

    .venv/bin/python bench/sandbox_speed.py [--seconds 10] [--processes 2] [--connections 16]

Starts the sandbox as a real process (SandboxProcess), then drives it from client processes, each running
asyncio keep-alive connections that issue GET requests round-robin over real contact ids, and prints the
requests per second (all responses checked to be 200). `--client requests` uses a thread pool of
`requests.Session`s instead (heavier on the client side, so it measures lower on 2 cores).
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ghl_sandbox.process import SandboxProcess  # noqa: E402

TARGET = 1500


async def _raw_worker(host: str, port: int, reqs: list[bytes], stop_at: float, counts: list, statuses: dict):
    reader, writer = await asyncio.open_connection(host, port)
    i = 0
    n = 0
    try:
        while time.monotonic() < stop_at:
            writer.write(reqs[i % len(reqs)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
                    break
            await reader.readexactly(length)
            statuses[status] = statuses.get(status, 0) + 1
            n += 1
    finally:
        writer.close()
        counts.append(n)


def _raw_process(host, port, paths, token, seconds, connections, start_at, q):
    hdr = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\nVersion: 2021-07-28\r\n" \
          f"Accept: application/json\r\n\r\n"
    reqs = [f"GET {p} HTTP/1.1\r\n{hdr}".encode() for p in paths]
    while time.time() < start_at:
        time.sleep(0.001)
    stop_at = time.monotonic() + seconds
    counts: list = []
    statuses: dict = {}

    async def main():
        await asyncio.gather(*[_raw_worker(host, port, reqs[k::connections] or reqs, stop_at, counts, statuses)
                               for k in range(connections)])
    asyncio.run(main())
    q.put((sum(counts), statuses))


def _requests_client(base, paths, token, seconds, threads):
    import requests
    stop_at = time.monotonic() + seconds
    total = [0]
    statuses: dict = {}
    lock = threading.Lock()

    def run(k):
        s = requests.Session()
        h = {"Authorization": f"Bearer {token}", "Version": "2021-07-28"}
        n, i = 0, k
        local: dict = {}
        while time.monotonic() < stop_at:
            r = s.get(base + paths[i % len(paths)], headers=h, timeout=10)
            local[r.status_code] = local.get(r.status_code, 0) + 1
            i += threads
            n += 1
        with lock:
            total[0] += n
            for c, v in local.items():
                statuses[c] = statuses.get(c, 0) + v

    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return total[0], statuses


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--contacts", type=int, default=2000)
    ap.add_argument("--processes", type=int, default=2, help="client processes (raw client)")
    ap.add_argument("--connections", type=int, default=16, help="keep-alive connections per client process")
    ap.add_argument("--client", choices=("raw", "requests"), default="raw")
    ap.add_argument("--threads", type=int, default=16, help="threads for --client requests")
    a = ap.parse_args()

    with SandboxProcess(seed=1, contacts=a.contacts, no_rate_limit=True) as sb:
        ids = [c["id"] for c in sb.dump()["contacts"]]
        paths = [f"/contacts/{cid}/notes" for cid in ids]
        token = sb.credentials["private_integration_tokens"]["readonly"]
        host, port = sb.base_url.rsplit("//", 1)[1].split(":")
        port = int(port)
        # warm up
        import requests
        for p in paths[:50]:
            requests.get(sb.base_url + p, headers=sb.headers(token), timeout=10).raise_for_status()
        sb.reset_stats()
        t0 = time.time()
        if a.client == "raw":
            q: mp.Queue = mp.Queue()
            start_at = time.time() + 0.5
            procs = [mp.Process(target=_raw_process, args=(host, port, paths[k::a.processes], token, a.seconds,
                                                           a.connections, start_at, q))
                     for k in range(a.processes)]
            for p in procs:
                p.start()
            results = [q.get() for _ in procs]
            for p in procs:
                p.join()
            total = sum(r[0] for r in results)
            statuses: dict = {}
            for _, st in results:
                for c, v in st.items():
                    statuses[c] = statuses.get(c, 0) + v
            elapsed = a.seconds
        else:
            total, statuses = _requests_client(sb.base_url, paths, token, a.seconds, a.threads)
            elapsed = time.time() - t0
        server_count = sb.stats()["by_route"].get("GET /contacts/{contactId}/notes", {})
    rate = total / elapsed
    print(f"client={a.client} processes={a.processes} connections={a.connections} seconds={a.seconds:g}")
    print(f"responses: {statuses}  server counted: {server_count}")
    print(f"GET /contacts/{{id}}/notes: {rate:,.0f} req/s (target >= {TARGET:,})")
    ok = rate >= TARGET and set(statuses) == {200}
    print("PASS" if ok else "BELOW TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
