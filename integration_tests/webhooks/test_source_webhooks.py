"""source-ghl-contacts with `webhook_receiver`: the real console script, the real receiver, the real sandbox.

Deletions arrive as deletion records; a note added to an unchanged contact is read; the receiver cursor
lives in state, so a sync after a failed one sees the same events again and one after a good one none.
"""
from __future__ import annotations

import time

import pytest
import requests

from ghl_sandbox.process import SandboxProcess
from integration_tests.source.harness import catalog, pit_config, run_source

from .receiver import TOKEN

CHILD_ROUTES = ("GET /contacts/{contactId}/tasks", "GET /contacts/{contactId}/notes",
                "GET /contacts/{contactId}/appointments")


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(seed=7, contacts=20) as sb:
        yield sb


def settle(sb, timeout=30):
    end = time.time() + timeout
    while sb.webhooks()["pending"] and time.time() < end:
        time.sleep(0.05)
    assert sb.webhooks()["pending"] == 0


def child_requests(sb) -> dict:
    routes = sb.stats()["by_route"]
    return {r: sum(routes.get(r, {}).values()) for r in CHILD_ROUTES}


def cursors(out) -> list:
    return [s["stream"]["stream_state"].get("webhook_receiver_cursor") for s in out.states
            if s["stream"]["stream_descriptor"]["name"] == "contacts"]


def test_deletions_and_child_changes_reach_the_sync_once(sandbox, receiver_factory):
    sandbox.reset()
    rcv = receiver_factory(sandbox)
    sandbox.register_webhook(rcv.url)
    config = pit_config(sandbox, webhook_receiver={"url": rcv.base_url, "token": TOKEN})
    first = run_source("read", config, catalog())
    assert first.returncode == 0, first.raw[-3000:]
    assert not any("_ab_cdc_deleted_at" in r for rs in first.records.values() for r in rs)
    assert cursors(first)[-1] == 0  # nothing received yet

    truth = sandbox.dump()
    h = sandbox.headers()
    base = sandbox.base_url
    gone_contacts = [c["id"] for c in truth["contacts"][:2]]
    note = next(n for n in truth["notes"] if n["contactId"] not in gone_contacts)
    task = next(t for t in truth["tasks"] if t["contactId"] not in gone_contacts)
    appt = next(a for a in truth["appointments"] if a["contactId"] not in gone_contacts)
    for cid in gone_contacts:
        assert requests.delete(f"{base}/contacts/{cid}", headers=h, timeout=10).ok
    assert requests.delete(f"{base}/contacts/{note['contactId']}/notes/{note['id']}", headers=h, timeout=10).ok
    assert requests.delete(f"{base}/contacts/{task['contactId']}/tasks/{task['id']}", headers=h, timeout=10).ok
    assert requests.delete(f"{base}/calendars/events/{appt['id']}", headers=sandbox.headers(None, "2021-04-15"),
                           timeout=10).ok
    quiet = next(c for c in truth["contacts"][2:] if c["id"] not in (note["contactId"], task["contactId"]))
    added = sandbox.mutate(add_notes=1, contactId=quiet["id"], seed=4)["notes"][0]  # contact untouched
    settle(sandbox)
    sandbox.reset_stats()

    second = run_source("read", config, catalog(), state=first.final_states())
    assert second.returncode == 0, second.raw[-3000:]
    deleted = {s: {r["id"] for r in rs if r.get("_ab_cdc_deleted_at")} for s, rs in second.records.items()}
    assert deleted["contacts"] == set(gone_contacts)
    assert deleted["notes"] == {note["id"]} and deleted["tasks"] == {task["id"]}
    assert deleted["appointments"] == {appt["id"]}
    tomb = next(r for r in second.records["notes"] if r["id"] == note["id"])
    assert tomb["contactId"] == note["contactId"] and tomb["locationId"] == sandbox.location_id
    assert tomb["contactDateUpdated"] == tomb["_ab_cdc_deleted_at"]  # ranks after the live record
    assert added["id"] in {r["id"] for r in second.records["notes"]}  # read though dateUpdated did not move
    # GHL requests: none for a deletion; the children of the contacts the search read again (lookback), as
    # without a receiver, plus one notes list for the one unchanged contact with a note event
    n = len([r for r in second.records["contacts"] if not r.get("_ab_cdc_deleted_at")])
    assert child_requests(sandbox) == {CHILD_ROUTES[0]: n, CHILD_ROUTES[1]: n + 1, CHILD_ROUTES[2]: n}
    c = cursors(second)
    assert c[-1] > 0 and set(c[:-1]) == {0}  # the new cursor only in the last contacts state

    # A sync after a failed one (the same old state) sees the same events again: none skipped.
    again = run_source("read", config, catalog(), state=first.final_states())
    assert {r["id"] for r in again.records["contacts"] if r.get("_ab_cdc_deleted_at")} == set(gone_contacts)
    # A sync after the good one sees none again: none counted twice.
    sandbox.reset_stats()
    third = run_source("read", config, catalog(), state=second.final_states())
    assert third.returncode == 0, third.raw[-3000:]
    assert not any(r.get("_ab_cdc_deleted_at") for rs in third.records.values() for r in rs)
    assert added["id"] not in {r["id"] for r in third.records["notes"]}
    assert child_requests(sandbox) == dict.fromkeys(CHILD_ROUTES, len(third.records["contacts"]))
    assert cursors(third)[-1] == c[-1]
    assert TOKEN not in second.raw + second.stderr


def test_a_refused_token_is_a_config_error_and_an_unreachable_receiver_is_not(sandbox, receiver_factory):
    rcv = receiver_factory(sandbox)
    bad = pit_config(sandbox, webhook_receiver={"url": rcv.base_url, "token": "not-the-token"})
    out = run_source("read", bad, catalog("contacts"))
    assert out.returncode != 0
    err = out.errors[0]
    assert err["failure_type"] == "config_error" and "webhook_receiver.token" in err["message"]
    assert "not-the-token" not in out.raw
    rcv.stop()
    down = pit_config(sandbox, webhook_receiver={"url": rcv.base_url, "token": TOKEN})
    out = run_source("read", down, catalog("contacts"), state=None)
    assert out.returncode == 0, out.raw[-2000:]
    assert any("webhook receiver is unreachable" in line for line in out.logs)
    assert cursors(out)[-1] == 0  # its events wait for the next sync


def test_the_spec_declares_the_receiver_token_secret():
    out = run_source("spec", {})
    prop = out.of_type("SPEC")[0]["spec"]["connectionSpecification"]["properties"]["webhook_receiver"]
    assert prop["properties"]["token"]["airbyte_secret"] is True and prop["required"] == ["url", "token"]
