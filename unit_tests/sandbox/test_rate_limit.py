"""The per-(app, location) limiter: sliding burst window, daily cap, headers."""
import pytest

from ghl_sandbox import rate_limit
from ghl_sandbox.rate_limit import RateLimiter


@pytest.fixture
def clock(monkeypatch):
    t = [1000.0]
    monkeypatch.setattr(rate_limit.time, "monotonic", lambda: t[0])
    return t


def _h(headers):
    return {k.decode(): v.decode() for k, v in headers}


def test_burst_window_slides(clock):
    rl = RateLimiter(burst=3, window_seconds=10, daily=100)
    for i in range(3):  # at t = 0, 1, 2
        ok, h = rl.hit("a")
        assert ok
        assert _h(h)["x-ratelimit-remaining"] == str(2 - i)
        clock[0] += 1
    ok, h = rl.hit("a")
    assert not ok
    assert _h(h)["x-ratelimit-remaining"] == "0"
    clock[0] = 1009.9
    assert not rl.hit("a")[0]
    clock[0] = 1010.05  # only the first request left the window
    assert rl.hit("a")[0]
    assert not rl.hit("a")[0]


def test_refused_requests_do_not_consume_budget(clock):
    rl = RateLimiter(burst=2, window_seconds=10, daily=100)
    rl.hit("a")
    rl.hit("a")
    for _ in range(50):
        assert not rl.hit("a")[0]
    clock[0] += 10.01
    ok, h = rl.hit("a")
    assert ok
    assert _h(h)["x-ratelimit-daily-remaining"] == "97"


def test_keys_are_independent(clock):
    rl = RateLimiter(burst=1, window_seconds=10, daily=100)
    assert rl.hit(("app", "loc1"))[0]
    assert rl.hit(("app", "loc2"))[0]
    assert not rl.hit(("app", "loc1"))[0]


def test_daily_cap_and_reset_duration(clock):
    rl = RateLimiter(burst=100, window_seconds=1, daily=5)
    for _ in range(5):
        assert rl.hit("a")[0]
        clock[0] += 1.5
    ok, h = rl.hit("a")
    h = _h(h)
    assert not ok
    assert h["x-ratelimit-daily-remaining"] == "0"
    assert 0 < int(h["x-ratelimit-daily-reset"]) <= 86_400_000
    clock[0] += 86_400
    assert rl.hit("a")[0]


def test_headers_names_are_lowercase_and_complete(clock):
    rl = RateLimiter(burst=100, window_seconds=10, daily=200_000)
    _, h = rl.hit("a")
    assert set(_h(h)) == {"x-ratelimit-limit-daily", "x-ratelimit-daily-remaining",
                          "x-ratelimit-interval-milliseconds", "x-ratelimit-max", "x-ratelimit-remaining",
                          "x-ratelimit-daily-reset"}
    assert _h(h)["x-ratelimit-interval-milliseconds"] == "10000"


def test_disabled_never_refuses(clock):
    rl = RateLimiter(burst=1, window_seconds=10, daily=1, enabled=False)
    assert all(rl.hit("a")[0] for _ in range(10))
