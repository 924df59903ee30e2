"""Deep paging on 10,500 contacts: `page` stops at 10,000 records, `searchAfter` goes beyond."""
from __future__ import annotations

import pytest
import requests

from ghl_sandbox.process import SandboxProcess

N = 10_500


@pytest.fixture(scope="module")
def big():
    with SandboxProcess(seed=17, contacts=N, no_rate_limit=True) as sb:
        yield sb


def _search(sb, s, **body):
    body = dict({"locationId": sb.location_id}, **body)
    return s.post(f"{sb.base_url}/contacts/search", json=body, headers=sb.headers(), timeout=30)


def test_page_cap_then_search_after(big):
    s = requests.Session()
    seen = []
    for page in range(1, 21):
        r = _search(big, s, pageLimit=500, page=page)
        assert r.status_code == 200
        body = r.json()
        assert body["total"] == N
        seen += body["contacts"]
    assert len(seen) == 10_000
    r = _search(big, s, pageLimit=500, page=21)
    assert r.status_code == 400
    assert "searchAfter" in r.json()["message"]
    assert _search(big, s, pageLimit=100, page=101).status_code == 400
    # page beyond the cap is refused, searchAfter continues where page 20 ended
    cursor = seen[-1]["searchAfter"]
    while True:
        r = _search(big, s, pageLimit=500, searchAfter=cursor)
        assert r.status_code == 200
        batch = r.json()["contacts"]
        seen += batch
        if len(batch) < 500:
            break
        cursor = batch[-1]["searchAfter"]
    ids = [c["id"] for c in seen]
    assert len(ids) == N and len(set(ids)) == N
    assert _search(big, s, pageLimit=10, page=1, searchAfter=cursor).status_code == 400


def test_incremental_scan_by_date_updated(big):
    s = requests.Session()
    body = {"pageLimit": 500, "sort": [{"field": "dateUpdated", "direction": "asc"}],
            "filters": [{"field": "dateUpdated", "operator": "range", "value": {"gte": "2025-06-01T00:00:00Z"}}]}
    got, pages = [], 0
    while True:
        r = _search(big, s, **body)
        b = r.json()
        got += b["contacts"]
        pages += 1
        if len(b["contacts"]) < 500:
            break
        body["searchAfter"] = b["contacts"][-1]["searchAfter"]
    assert len(got) == b["total"] > 1000
    keys = [tuple(c["searchAfter"]) for c in got]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(c["dateUpdated"] >= "2025-06-01T00:00:00" for c in got)


def test_deprecated_list_full_scan(big):
    s = requests.Session()
    params = {"locationId": big.location_id, "limit": 100}
    n, last = 0, None
    while True:
        b = s.get(f"{big.base_url}/contacts/", params=params, headers=big.headers(), timeout=30).json()
        n += len(b["contacts"])
        if not b["meta"]["nextPage"]:
            break
        assert (b["meta"]["startAfter"], b["meta"]["startAfterId"]) != last
        last = (b["meta"]["startAfter"], b["meta"]["startAfterId"])
        params = dict(params, startAfter=last[0], startAfterId=last[1])
    assert n == N
