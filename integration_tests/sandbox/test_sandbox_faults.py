"""Fault injection over HTTP: every kind observable, deterministic from the seed, and write-realistic
(error statuses before the write is applied; stall/drop/truncate after it)."""
from __future__ import annotations

import time

import pytest
import requests

ALL_OFF = {f"fault_{k}": 0.0 for k in ("429", "500", "502", "503", "504", "stall", "drop", "truncate")}


@pytest.fixture(scope="module")
def fsb():
    from ghl_sandbox.process import SandboxProcess
    with SandboxProcess(seed=5, contacts=20, no_rate_limit=True) as sb:
        yield sb


@pytest.fixture
def f(fsb):
    fsb.reset()
    yield fsb
    fsb.reset()


def _list(sb, **kw):
    return requests.get(f"{sb.base_url}/contacts/", params={"locationId": sb.location_id, "limit": 5},
                        headers=sb.headers(), timeout=kw.pop("timeout", 10), **kw)


def _create(sb, email, timeout=10):
    return requests.post(f"{sb.base_url}/contacts/", json={"locationId": sb.location_id, "email": email},
                         headers=sb.headers(), timeout=timeout)


def _emails(sb):
    return {c.get("email") for c in sb.dump()["contacts"]}


@pytest.mark.parametrize("kind,status,ctype", [("429", 429, "application/json"), ("500", 500, "application/json"),
                                               ("502", 502, "text/html"), ("503", 503, "application/json"),
                                               ("504", 504, "text/html")])
def test_error_faults(f, kind, status, ctype):
    f.set_faults(**{f"fault_{kind}": 1.0})
    r = _list(f)
    assert r.status_code == status
    assert r.headers["content-type"].startswith(ctype)
    assert "x-ratelimit-remaining" in r.headers
    if kind == "429":
        assert r.json() == {"statusCode": 429, "message": "Too Many Requests"}
    if kind == "502":
        assert b"<html>" in r.content
    assert f.stats()["by_status"][str(status)] == 1


def test_error_fault_happens_before_the_write(f):
    f.set_faults(fault_500=1.0)
    assert _create(f, "pre-fault@example.com").status_code == 500
    f.set_faults(**ALL_OFF)
    assert "pre-fault@example.com" not in _emails(f)


def test_drop_happens_after_the_write(f):
    f.set_faults(fault_drop=1.0)
    with pytest.raises(requests.ConnectionError):
        _create(f, "dropped@example.com")
    f.set_faults(**ALL_OFF)
    assert "dropped@example.com" in _emails(f)
    # a blind re-POST now meets the duplicate rule
    r = _create(f, "dropped@example.com")
    assert r.status_code == 400 and r.json()["meta"]["matchingField"] == "email"
    assert f.stats()["by_status"].get("dropped") == 1


def test_truncate_gives_cut_json_after_the_write(f):
    f.set_faults(fault_truncate=1.0)
    r = _create(f, "cut@example.com")
    assert r.status_code == 201
    with pytest.raises(ValueError):
        r.json()
    assert r.content.startswith(b'{"contact":')
    r = _list(f)
    with pytest.raises(ValueError):
        r.json()
    f.set_faults(**ALL_OFF)
    assert "cut@example.com" in _emails(f)


def test_stall_past_client_timeout_after_the_write(f):
    f.set_faults(fault_stall=1.0, stall_seconds=1.5)
    t = time.monotonic()
    with pytest.raises(requests.Timeout):
        _create(f, "stalled@example.com", timeout=0.4)
    assert time.monotonic() - t < 1.4
    f.set_faults(**ALL_OFF)
    assert "stalled@example.com" in _emails(f)


def test_latency_and_jitter(f):
    f.set_faults(latency_ms=150, jitter_ms=50)
    t = time.monotonic()
    assert _list(f).status_code == 200
    assert 0.15 <= time.monotonic() - t < 1.0
    t = time.monotonic()
    requests.get(f"{f.base_url}/_sandbox/health", timeout=5)
    assert time.monotonic() - t < 0.15  # admin routes are exempt


def test_faults_are_deterministic_from_the_seed(f):
    def run():
        f.set_faults(fault_500=0.3, fault_503=0.2, seed=42)
        return [_list(f).status_code for _ in range(40)]
    a = run()
    f.reset()
    b = run()
    assert a == b
    assert {200, 500, 503} <= set(a)
    f.set_faults(seed=43)
    assert [_list(f).status_code for _ in range(40)] != a


def test_faults_limited_to_routes(f):
    f.set_faults(fault_500=1.0, fault_routes=["POST /contacts/"])
    assert _list(f).status_code == 200
    assert _create(f, "routed@example.com").status_code == 500


def test_oauth_exempt_unless_asked(f):
    f.set_faults(fault_503=1.0)
    o = f.credentials["oauth"]
    r = requests.post(f"{f.base_url}/oauth/token", data={"client_id": o["client_id"],
                                                         "client_secret": o["client_secret"],
                                                         "grant_type": "refresh_token",
                                                         "refresh_token": o["refresh_token"]})
    assert r.status_code == 200
    f.set_faults(fault_oauth=True)
    r = requests.post(f"{f.base_url}/oauth/token", data={"client_id": o["client_id"],
                                                         "client_secret": o["client_secret"],
                                                         "grant_type": "refresh_token",
                                                         "refresh_token": r.json()["refresh_token"]})
    assert r.status_code == 503


def test_cli_fault_flags(sandbox_factory):
    sb = sandbox_factory(contacts=5, fault_502=1.0, no_rate_limit=True)
    assert _list(sb).status_code == 502
    assert sb.faults()["fault_502"] == 1.0


def test_bad_fault_config_rejected(f):
    r = requests.post(f"{f.base_url}/_sandbox/faults", json={"fault_500": 0.8, "fault_502": 0.5})
    assert r.status_code == 400
    r = requests.post(f"{f.base_url}/_sandbox/faults", json={"fault_teapot": 0.1})
    assert r.status_code == 400
