"""The budget paces requests under GHL's window and follows its headers."""

import time

import requests

from ghl_http.rate_limit import build_api_budget, burst_window, hours_until_daily_reset, seconds_until_window_frees


def request():
    return requests.Request("GET", "https://services.leadconnectorhq.com/contacts/x").prepare()


def test_budget_allows_the_burst_then_blocks():
    budget = build_api_budget(5)
    started = time.monotonic()
    for _ in range(5):
        budget.acquire_call(request(), block=False)
    assert time.monotonic() - started < 1
    try:
        budget.acquire_call(request(), block=False)
    except Exception as exc:  # CallRateLimitHit
        assert exc.time_to_wait.total_seconds() > 9
    else:
        raise AssertionError("the sixth call in the window should have been refused")


def test_zero_remaining_header_fills_the_window():
    budget = build_api_budget(50)
    resp = requests.Response()
    resp.status_code = 200
    resp.headers["x-ratelimit-remaining"] = "0"
    budget.update_from_response(request(), resp)
    try:
        budget.acquire_call(request(), block=False)
    except Exception:
        return
    raise AssertionError("GHL said no calls are left; the budget should wait")


def test_window_has_a_margin_over_ghls():
    assert 10 < burst_window().total_seconds() <= 11


def test_header_readers():
    resp = requests.Response()
    resp.headers.update({"x-ratelimit-interval-milliseconds": "2000", "x-ratelimit-daily-reset": "86343000"})
    assert seconds_until_window_frees(resp) == 2.0
    assert hours_until_daily_reset(resp) == 24.0


def test_requests_spent_elsewhere_are_counted():
    budget = build_api_budget(10)
    resp = requests.Response()
    resp.status_code = 200
    resp.headers["x-ratelimit-remaining"] = "3"  # another process spent 7 of GHL's 10
    budget.update_from_response(request(), resp)
    for _ in range(3):
        budget.acquire_call(request(), block=False)
    try:
        budget.acquire_call(request(), block=False)
    except Exception:
        return
    raise AssertionError("only 3 calls were left at GHL; the fourth should wait")


def test_a_higher_remaining_than_ours_changes_nothing():
    budget = build_api_budget(10)
    for _ in range(8):
        budget.acquire_call(request(), block=False)
    resp = requests.Response()
    resp.status_code = 200
    resp.headers["x-ratelimit-remaining"] = "9"  # a stale answer: our later requests have not arrived yet
    budget.update_from_response(request(), resp)
    budget.acquire_call(request(), block=False)
    budget.acquire_call(request(), block=False)


def test_an_agency_budget_counts_a_request_from_its_answer():
    """A request the window let go but that was sent late stays in the window until its answer is in."""
    import time

    import requests

    budget = build_api_budget(2, count_from_answer=True)
    first, second, third = (requests.Request("GET", f"https://x/{n}").prepare() for n in range(3))
    budget.acquire_call(first)
    budget.acquire_call(second)
    policy = budget.get_matching_policy(first)
    released = [item.timestamp for item in policy._bucket.items]
    time.sleep(0.05)
    answer = requests.Response()
    answer.status_code = 200
    budget.update_from_response(first, answer)
    items = policy._bucket.items
    assert [item.name for item in items] == [second, first]  # in time order, `first` now the newest
    assert items[-1].timestamp >= released[0] + 50
    assert budget.count_from_answer and burst_window(True) < burst_window()
    # a budget that counts from release leaves its items where they were
    plain = build_api_budget(2)
    plain.acquire_call(third)
    before = [item.timestamp for item in plain.get_matching_policy(third)._bucket.items]
    plain.update_from_response(third, answer)
    assert [item.timestamp for item in plain.get_matching_policy(third)._bucket.items] == before
