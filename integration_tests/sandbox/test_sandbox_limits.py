"""Rate limits over HTTP: headers on every response, 429 at the burst, recovery, daily cap, per location."""
from __future__ import annotations

import time

import requests

HDRS = ("x-ratelimit-limit-daily", "x-ratelimit-daily-remaining", "x-ratelimit-interval-milliseconds",
        "x-ratelimit-max", "x-ratelimit-remaining", "x-ratelimit-daily-reset")


def test_headers_on_every_response_including_errors(sandbox):
    h = sandbox.headers()
    cases = [
        requests.get(f"{sandbox.base_url}/contacts/", params={"locationId": sandbox.location_id}, headers=h),
        requests.get(f"{sandbox.base_url}/contacts/NOPE", headers=h),  # 400
        requests.get(f"{sandbox.base_url}/contacts/", headers={"Authorization": "Bearer bad"}),  # 401
        requests.get(f"{sandbox.base_url}/contacts/", params={"locationId": "other"}, headers=h),  # 403
        requests.post(f"{sandbox.base_url}/contacts/", json={"locationId": sandbox.location_id, "x": 1},
                      headers=h),  # 422
        requests.get(f"{sandbox.base_url}/nowhere", headers=h),  # 404
    ]
    assert [r.status_code for r in cases] == [200, 400, 401, 403, 422, 404]
    for r in cases:
        for name in HDRS:
            assert name in r.headers, (r.status_code, name)
        assert "retry-after" not in r.headers
    assert int(cases[0].headers["x-ratelimit-daily-reset"]) > 86_000_000
    assert cases[0].headers["x-ratelimit-max"] == "100"
    assert cases[0].headers["x-ratelimit-interval-milliseconds"] == "10000"


def test_burst_429_then_recovery(sandbox_factory):
    sb = sandbox_factory(rate_limit_burst=10, rate_limit_window_seconds=2)
    s = requests.Session()
    h = sb.headers()
    u = f"{sb.base_url}/contacts/"
    p = {"locationId": sb.location_id, "limit": 1}
    t0 = time.monotonic()
    rs = [s.get(u, params=p, headers=h) for _ in range(13)]
    assert time.monotonic() - t0 < 2
    assert [r.status_code for r in rs[:10]] == [200] * 10
    assert [int(r.headers["x-ratelimit-remaining"]) for r in rs[:10]] == list(range(9, -1, -1))
    for r in rs[10:]:
        assert r.status_code == 429
        assert r.json() == {"statusCode": 429, "message": "Too Many Requests"}
        assert "retry-after" not in r.headers
        assert r.headers["x-ratelimit-remaining"] == "0"
    # 429s did not consume the daily budget
    assert rs[-1].headers["x-ratelimit-daily-remaining"] == str(200_000 - 10)
    time.sleep(2.1)
    assert s.get(u, params=p, headers=h).status_code == 200
    st = sb.stats()
    assert st["rate_limited"] == 3
    assert st["by_route"]["GET /contacts/"] == {"200": 11, "429": 3}
    assert st["peak_requests_10s"] >= 13


def test_budgets_are_per_app_and_location(sandbox_factory):
    sb = sandbox_factory(rate_limit_burst=3, rate_limit_window_seconds=5, contacts=5, locations=2)
    loc1, loc2 = sb.credentials["locations"]
    toks = sb.credentials["location_tokens"]

    def hit(tok, loc):
        return requests.get(f"{sb.base_url}/contacts/", params={"locationId": loc},
                            headers=sb.headers(tok)).status_code
    assert [hit(toks[loc1]["readonly"], loc1) for _ in range(4)] == [200, 200, 200, 429]
    assert hit(toks[loc2]["readonly"], loc2) == 200  # another location: its own budget
    assert hit(toks[loc1]["readwrite"], loc1) == 200  # another private integration: its own budget
    shared = sb.mint_token(["contacts.readonly"], loc1, app="pit:" + toks[loc1]["readonly"])
    assert hit(shared, loc1) == 429  # same app and location: same budget


def test_daily_cap(sandbox_factory):
    sb = sandbox_factory(rate_limit_daily=5, contacts=5)
    h = sb.headers()
    rs = [requests.get(f"{sb.base_url}/contacts/", params={"locationId": sb.location_id}, headers=h)
          for _ in range(7)]
    assert [r.status_code for r in rs] == [200] * 5 + [429] * 2
    assert rs[-1].headers["x-ratelimit-daily-remaining"] == "0"
    assert rs[4].headers["x-ratelimit-daily-remaining"] == "0"
    assert rs[0].headers["x-ratelimit-limit-daily"] == "5"


def test_no_rate_limit_and_runtime_change(sandbox_factory):
    sb = sandbox_factory(no_rate_limit=True, rate_limit_burst=2, contacts=5)
    h = sb.headers()
    u = f"{sb.base_url}/contacts/"
    assert all(requests.get(u, params={"locationId": sb.location_id}, headers=h).status_code == 200
               for _ in range(5))
    sb.set_faults(rate_limit=True, rate_limit_burst=6, rate_limit_window_seconds=10)
    r = requests.get(u, params={"locationId": sb.location_id}, headers=h)
    assert r.status_code == 200  # the 6th request in the window
    assert r.headers["x-ratelimit-max"] == "6" and r.headers["x-ratelimit-remaining"] == "0"
    assert requests.get(u, params={"locationId": sb.location_id}, headers=h).status_code == 429
