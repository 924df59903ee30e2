"""Smoke test: the sandbox starts as a real process and serves a contacts read."""
import requests


def test_serves_contacts(sandbox):
    r = requests.get(f"{sandbox.base_url}/contacts/", params={"locationId": sandbox.location_id, "limit": 5},
                     headers=sandbox.headers(), timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert len(body["contacts"]) == 5
    assert body["meta"]["total"] == 60
    assert r.headers["x-ratelimit-max"] == "100"
