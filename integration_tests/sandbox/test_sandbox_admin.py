"""Admin surface (/_sandbox/*) and search lag over HTTP."""
from __future__ import annotations

import time

import requests

from ghl_sandbox.util import parse_time_ms


def _search(sb, **body):
    body = dict({"locationId": sb.location_id, "pageLimit": 500}, **body)
    r = requests.post(f"{sb.base_url}/contacts/search", json=body, headers=sb.headers(), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_dump_matches_the_get_routes(sandbox):
    d = sandbox.dump(sandbox.location_id)
    assert set(d) == {"contacts", "tasks", "notes", "appointments"}
    assert len(d["contacts"]) == 60
    h = sandbox.headers()
    for key, route, field in (("tasks", "tasks", "tasks"), ("notes", "notes", "notes"),
                              ("appointments", "appointments", "events")):
        assert all("contactId" in x for x in d[key])
        cid = d[key][0]["contactId"]
        got = requests.get(f"{sandbox.base_url}/contacts/{cid}/{route}", headers=h).json()[field]
        assert sorted(got, key=lambda x: x["id"]) == sorted((x for x in d[key] if x["contactId"] == cid),
                                                            key=lambda x: x["id"])
    c = d["contacts"][5]
    assert requests.get(f"{sandbox.base_url}/contacts/{c['id']}", headers=h).json()["contact"] == c
    assert sandbox.dump()["contacts"] == d["contacts"]  # one location: all == this one


def test_admin_requests_are_not_counted_or_limited(sandbox_factory):
    sb = sandbox_factory(rate_limit_burst=2, contacts=5)
    for _ in range(5):
        sb.dump()
        sb.stats()
    st = sb.stats()
    assert st["requests_total"] == 0
    h = sb.headers()
    requests.get(f"{sb.base_url}/contacts/", params={"locationId": sb.location_id}, headers=h)
    st = sb.stats()
    assert st["requests_total"] == 1 and st["by_status"] == {"200": 1}
    assert st["per_second"] and st["per_second"][0][1] == 1
    sb.reset_stats()
    assert sb.stats()["requests_total"] == 0


def test_mutate_and_reset(fresh_sandbox):
    sb = fresh_sandbox
    before = sb.dump()
    by_id = {c["id"]: c for c in before["contacts"]}
    out = sb.mutate(update=5, add=3, delete=2, add_notes=4, add_tasks=2, seed=9)
    assert len(out["updated"]) == 5 and len(out["added"]) == 3 and len(out["deleted"]) == 2
    after = sb.dump()
    now = {c["id"]: c for c in after["contacts"]}
    assert len(now) == 61
    for cid in out["updated"]:
        assert now[cid]["dateUpdated"] > by_id[cid]["dateUpdated"]
    for cid in out["deleted"]:
        assert cid not in now
    for cid in out["added"]:
        assert parse_time_ms(now[cid]["dateAdded"]) > time.time() * 1000 - 60_000
    note_ids = {n["id"] for n in after["notes"]}
    assert all(n["id"] in note_ids for n in out["notes"])
    for n in out["notes"]:  # a note alone does not touch the contact (child-only change)
        if n["contactId"] not in out["updated"] and n["contactId"] in by_id:
            assert now[n["contactId"]]["dateUpdated"] == by_id[n["contactId"]]["dateUpdated"]
    # seeded mutations are reproducible
    sb.reset()
    assert sb.dump() == before
    assert sb.mutate(update=5, add=3, delete=2, add_notes=4, add_tasks=2, seed=9)["updated"] == out["updated"]


def test_incremental_search_finds_mutations(fresh_sandbox):
    sb = fresh_sandbox
    newest = max(c["dateUpdated"] for c in sb.dump()["contacts"])
    out = sb.mutate(update=4, add=2, seed=3)
    got = _search(sb, filters=[{"field": "dateUpdated", "operator": "range", "value": {"gt": newest}}],
                  sort=[{"field": "dateUpdated", "direction": "asc"}])
    assert {c["id"] for c in got["contacts"]} == set(out["updated"]) | set(out["added"])


def test_search_lag(sandbox_factory):
    sb = sandbox_factory(contacts=10, search_lag_seconds=2.5)
    h = sb.headers()
    r = requests.post(f"{sb.base_url}/contacts/", json={"locationId": sb.location_id,
                                                        "email": "lagging@example.com"}, headers=h)
    cid = r.json()["contact"]["id"]
    flt = [{"field": "email", "operator": "eq", "value": "lagging@example.com"}]
    assert _search(sb, filters=flt)["total"] == 0  # not yet indexed
    assert requests.get(f"{sb.base_url}/contacts/{cid}", headers=h).status_code == 200  # but readable
    # an update is also invisible to search until indexed: the old version is found
    c = sb.dump()["contacts"][0]
    requests.put(f"{sb.base_url}/contacts/{c['id']}", json={"city": "Laggington"}, headers=h)
    found = next(x for x in _search(sb)["contacts"] if x["id"] == c["id"])
    assert found.get("city") != "Laggington"
    time.sleep(2.6)
    assert _search(sb, filters=flt)["total"] == 1
    found = next(x for x in _search(sb)["contacts"] if x["id"] == c["id"])
    assert found["city"] == "Laggington"
    # switched off at run time
    sb.set_faults(search_lag_seconds=0)
    requests.post(f"{sb.base_url}/contacts/", json={"locationId": sb.location_id, "email": "now@example.com"},
                  headers=h)
    assert _search(sb, filters=[{"field": "email", "operator": "eq", "value": "now@example.com"}])["total"] == 1


def test_mint_token_and_location_settings(fresh_sandbox):
    sb = fresh_sandbox
    tok = sb.mint_token(["contacts.readonly"])
    h = sb.headers(tok)
    u = f"{sb.base_url}/contacts/"
    assert requests.get(u, params={"locationId": sb.location_id}, headers=h).status_code == 200
    assert requests.post(u, json={"locationId": sb.location_id, "email": "q@example.com"},
                         headers=h).status_code == 401
    s = sb.location_settings(allow_duplicates=True, upsert_match="phone")
    assert s["allowDuplicates"] is True and s["upsertMatch"] == "phone"
    sb.reset()
    assert requests.get(f"{sb.base_url}/_sandbox/health").json()["ok"] is True


def test_reset_restores_data_and_stats(fresh_sandbox):
    sb = fresh_sandbox
    before = sb.dump()
    c = before["contacts"][0]
    requests.delete(f"{sb.base_url}/contacts/{c['id']}", headers=sb.headers())
    assert sb.stats()["requests_total"] == 1
    sb.reset()
    assert sb.dump() == before
    assert sb.stats()["requests_total"] == 0
