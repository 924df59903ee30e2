"""Per-location request counters and sliding-window peaks of /_sandbox/stats."""
from ghl_sandbox import stats as stats_mod
from ghl_sandbox.stats import Stats


def test_per_location_counts_and_peak_window(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(stats_mod.time, "time", lambda: clock[0])
    s = Stats(window_seconds=10)
    loc = ("locations", "L1")
    for t, status in ((0, 200), (1, 200), (2, 429), (9.5, 200), (10.5, 200), (11.5, 200), (30, 403)):
        clock[0] = 1000.0 + t
        s.record("GET /contacts/", status, resource=loc)
    s.record("GET /contacts/", 401)  # no valid token: not attributed
    s.record("GET /oauth/installedLocations", 200, resource=("companies", "C1"))
    d = s.to_dict()
    # any 10 s window holds at most 3 served (e.g. 0, 1, 9.5) and 4 attempts (0, 1, 2, 9.5): t=0 has left
    # the window when 10.5 arrives
    # and when the first and the last answer went out (429s and refusals are answers too)
    assert d["locations"] == {"L1": {"requests": 6, "429": 1, "peak_window": 3, "peak_window_attempts": 4,
                                     "first_at": 1000.0, "last_at": 1030.0}}
    assert d["companies"] == {"C1": {"requests": 1, "429": 0, "peak_window": 1, "peak_window_attempts": 1,
                                     "first_at": 1030.0, "last_at": 1030.0}}
    assert d["requests_total"] == 9 and d["rate_limited"] == 1 and d["window_seconds"] == 10
    s.reset()
    assert s.to_dict()["locations"] == {} and s.to_dict()["companies"] == {}
