"""The sandbox's webhook sender over real HTTP: payload shapes, signatures, GHL's retry-only-on-429 rule.

A small recording HTTP server in this test stands in for a receiver; the sandbox is the real process.
"""
from __future__ import annotations

import base64
import http.server
import json
import pathlib
import re
import threading
import time

import jsonschema

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

V1 = "2021-07-28"
V_CAL = "2021-04-15"
EVENT_DOCS = pathlib.Path(__file__).parents[2] / "ghl_sandbox" / "ghl_api" / "webhook-events"


def event_schema(event_type: str) -> dict:
    """The JSON schema block of GHL's own document for this event (vendored, CC0)."""
    text = (EVENT_DOCS / f"{event_type}.md").read_text()
    return json.loads(re.search(r"```json json_schema\n(.*?)\n```", text, re.S).group(1))


class Recorder:
    """Answers each POST with the next status of `script` (then 200) and records it."""

    def __init__(self, script=()):
        self.script = list(script)
        self.got: list[tuple[int, dict, bytes]] = []
        self.lock = threading.Lock()
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                with rec.lock:
                    status = rec.script.pop(0) if rec.script else 200
                    rec.got.append((status, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/ghl"

    def events(self, status=200) -> list[dict]:
        with self.lock:
            return [json.loads(b) for s, _, b in self.got if s == status]

    def wait(self, n: int, timeout: float = 15) -> None:
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if len(self.got) >= n:
                    return
            time.sleep(0.02)
        raise AssertionError(f"expected {n} deliveries, got {len(self.got)}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    made = []

    def make(script=()):
        r = Recorder(script)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def send(sb, method, path, version=V1, **kw):
    r = requests.request(method, sb.base_url + path, headers=sb.headers(None, version), timeout=10, **kw)
    assert r.status_code < 300, r.text
    return r.json()


def wait_settled(sb, timeout=15) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        w = sb.stats()["webhooks"]
        if w["pending"] == 0:
            return w
        time.sleep(0.02)
    raise AssertionError(f"webhooks still pending: {w}")


def test_every_write_sends_its_ghl_event_signed_over_the_exact_body(fresh_sandbox, recorder):
    sb = fresh_sandbox
    rec = recorder()
    reg = sb.register_webhook(rec.url, rsa=True)
    keys = sb.webhook_keys()
    ed = serialization.load_pem_public_key(keys["ed25519"].encode())
    rsa = serialization.load_pem_public_key(keys["rsa"].encode())
    loc = sb.location_id
    c = send(sb, "POST", "/contacts/", json={"locationId": loc, "firstName": "Wren", "email": "wren@hooks.test"})
    cid = c["contact"]["id"]
    send(sb, "PUT", f"/contacts/{cid}", json={"city": "Reno"})
    send(sb, "POST", f"/contacts/{cid}/tags", json={"tags": ["hooked"]})
    send(sb, "PUT", f"/contacts/{cid}", json={"dnd": True})
    t = send(sb, "POST", f"/contacts/{cid}/tasks", json={"title": "Call", "dueDate": "2026-12-24T10:00:00Z",
                                                          "completed": False})["task"]
    send(sb, "PUT", f"/contacts/{cid}/tasks/{t['id']}", json={"title": "Call back"})  # no TaskUpdate in GHL
    send(sb, "PUT", f"/contacts/{cid}/tasks/{t['id']}/completed", json={"completed": True})
    send(sb, "DELETE", f"/contacts/{cid}/tasks/{t['id']}")
    n = send(sb, "POST", f"/contacts/{cid}/notes", json={"body": "hi"})["note"]
    send(sb, "PUT", f"/contacts/{cid}/notes/{n['id']}", json={"body": "edited"})
    send(sb, "DELETE", f"/contacts/{cid}/notes/{n['id']}")
    cal = send(sb, "GET", "/calendars/", version=V_CAL, params={"locationId": loc})["calendars"][0]
    a = send(sb, "POST", "/calendars/events/appointments", version=V_CAL,
             json={"calendarId": cal["id"], "locationId": loc, "contactId": cid,
                   "assignedUserId": cal["teamMembers"][0]["userId"], "startTime": "2026-12-01T10:00:00+00:00",
                   "endTime": "2026-12-01T10:30:00+00:00", "title": "Demo"})
    send(sb, "PUT", f"/calendars/events/appointments/{a['id']}", version=V_CAL, json={"title": "Demo 2"})
    send(sb, "DELETE", f"/calendars/events/{a['id']}", version=V_CAL)
    send(sb, "DELETE", f"/contacts/{cid}")
    sb.mutate(add_notes=1, contactId=sb.dump()["contacts"][0]["id"], seed=3)  # the admin surface sends too
    expected = ["ContactCreate", "ContactUpdate", "ContactTagUpdate", "ContactDndUpdate", "TaskCreate",
                "TaskComplete", "TaskDelete", "NoteCreate", "NoteUpdate", "NoteDelete", "AppointmentCreate",
                "AppointmentUpdate", "AppointmentDelete", "ContactDelete", "NoteCreate"]
    rec.wait(len(expected))
    w = wait_settled(sb)
    assert w["delivered"] == w["emitted"] == len(expected) and w["dropped"] == 0
    got = sorted(rec.got, key=lambda g: json.loads(g[2])["timestamp"])
    assert sorted(json.loads(b)["type"] for _, _, b in got) == sorted(expected)
    for _, headers, body in got:
        ed.verify(base64.b64decode(headers["x-ghl-signature"]), body)  # raises if it does not verify
        rsa.verify(base64.b64decode(headers["x-wh-signature"]), body, padding.PKCS1v15(), hashes.SHA256())
        ev = json.loads(body)
        jsonschema.validate(ev, event_schema(ev["type"]))
        assert set(ev) - set(event_schema(ev["type"])["properties"]) == {"timestamp", "webhookId"}
        assert ev["locationId"] == loc and ev["webhookId"] and ev["timestamp"].endswith("Z")
    by_type = {json.loads(b)["type"]: json.loads(b) for _, _, b in got}
    assert by_type["ContactCreate"]["id"] == cid and by_type["ContactCreate"]["email"] == "wren@hooks.test"
    assert "dateUpdated" not in by_type["ContactUpdate"]  # GHL's contact events have none
    assert by_type["ContactDelete"]["id"] == cid
    assert by_type["TaskDelete"] == {**by_type["TaskDelete"], "id": t["id"], "contactId": cid}
    assert by_type["NoteDelete"]["id"] == n["id"] and by_type["NoteDelete"]["contactId"] == cid
    assert by_type["AppointmentDelete"]["appointment"]["id"] == a["id"]
    assert by_type["AppointmentUpdate"]["appointment"]["title"] == "Demo 2"
    assert "dndSettings" in by_type["ContactDndUpdate"]
    assert set(sb.webhooks()["delivered_ids"]) == {json.loads(b)["webhookId"] for _, _, b in got}
    sb.unregister_webhook(reg["id"])
    send(sb, "PUT", f"/contacts/{sb.dump()['contacts'][1]['id']}", json={"city": "Boise"})
    assert sb.stats()["webhooks"]["emitted"] == len(expected)  # nobody registered: nothing sent


def test_only_429_is_retried_and_other_failures_are_dropped_and_counted(fresh_sandbox, recorder):
    sb = fresh_sandbox
    rec = recorder(script=[429, 429, 500])
    sb.register_webhook(rec.url, retry_scale=0.0005)  # ~0.3 s instead of ~10 min between tries
    cids = [c["id"] for c in sb.dump()["contacts"][:2]]
    send(sb, "PUT", f"/contacts/{cids[0]}", json={"city": "Reno"})
    rec.wait(3)
    send(sb, "PUT", f"/contacts/{cids[1]}", json={"city": "Omaha"})
    w = wait_settled(sb)
    # The first event: 429, 429, then a 500, which is final. The second: delivered at once.
    assert w == {**w, "emitted": 2, "retried": 2, "dropped": 1, "delivered": 1,
                 "dropped_by_reason": {"500": 1}}
    ids = [json.loads(b)["webhookId"] for _, _, b in rec.got]
    assert ids[0] == ids[1] == ids[2] != ids[3]  # retries carry the same webhookId
    assert sb.webhooks()["dropped_ids"] == [ids[0]]


def test_retries_stop_after_six_and_a_dead_receiver_drops(fresh_sandbox, recorder):
    sb = fresh_sandbox
    rec = recorder(script=[429] * 7)
    sb.register_webhook(rec.url, retry_scale=0.0002)
    send(sb, "PUT", f"/contacts/{sb.dump()['contacts'][0]['id']}", json={"city": "Reno"})
    rec.wait(7)
    w = wait_settled(sb)
    assert w["retried"] == 6 and w["dropped_by_reason"] == {"429 retries exhausted": 1}
    time.sleep(0.3)
    assert len(rec.got) == 7  # the first try and six retries, no more
    rec.close()  # nobody listens any more: a refused connection is final, like any non-429
    send(sb, "PUT", f"/contacts/{sb.dump()['contacts'][0]['id']}", json={"city": "Tulsa"})
    w = wait_settled(sb)
    assert w["dropped"] == 2 and w["dropped_by_reason"].get("ConnectionRefusedError") == 1


def test_register_rejects_a_bad_url(sandbox):
    r = requests.post(sandbox.base_url + "/_sandbox/webhooks", json={"url": "ftp://x"}, timeout=10)
    assert r.status_code == 400 and "http://" in r.json()["error"]
