"""The request budget: pace requests under GHL's burst limit and follow its rate-limit headers.

GHL allows N requests per 10 s per app and location and a daily quota (BEHAVIOUR.md section 5). The budget
is a moving window on our side (the CDK's `MovingWindowCallRatePolicy`), kept in step with GHL by its
`x-ratelimit-remaining` header: when GHL says 0 is left, the window is filled and we wait.
"""

from datetime import timedelta
from typing import Optional

import requests
from airbyte_cdk.sources.streams.call_rate import HttpAPIBudget, MovingWindowCallRatePolicy, Rate
from pyrate_limiter import RateItem, TimeClock

from ghl_http.constants import (
    BURST_WINDOW_SECONDS,
    HEADER_DAILY_REMAINING,
    HEADER_DAILY_RESET_MS,
    HEADER_INTERVAL_MS,
    HEADER_REMAINING,
)

# GHL counts a request when it arrives, we count it when we send it. Jitter in the network can bring two
# requests sent a full window apart into one GHL window; this margin keeps that from costing a 429.
WINDOW_SAFETY_MARGIN = timedelta(milliseconds=300)
# A budget that counts each request from its answer (`count_from_answer`) already holds each slot for the
# request's latency: GHL saw the request before the answer came, so a smaller margin is as safe.
ANSWERED_SAFETY_MARGIN = timedelta(milliseconds=150)

# GHL sends no epoch reset header; naming one it never sends keeps the CDK from misreading
# `x-ratelimit-daily-reset` (a duration) as an epoch time.
_NO_RESET_HEADER = "x-ghl-reset-epoch-not-sent"


def burst_window(count_from_answer: bool = False) -> timedelta:
    margin = ANSWERED_SAFETY_MARGIN if count_from_answer else WINDOW_SAFETY_MARGIN
    return timedelta(seconds=BURST_WINDOW_SECONDS) + margin


class GHLWindowPolicy(MovingWindowCallRatePolicy):
    """A moving window that also counts requests it did not send.

    GHL's budget is per app and location, so a `check` or `discover` run just before a sync, the previous
    sync, or another connector of the same app spend it too. Whenever GHL's `x-ratelimit-remaining` is lower
    than what our window has left, the difference is entered as spent now. A higher value is ignored: our own
    requests in flight have not reached GHL yet, and GHL's window (10 s) forgets sooner than ours.
    """

    def update(self, available_calls: Optional[int], call_reset_ts: Optional[object]) -> None:
        if available_calls is None:
            return
        with self._limiter.lock:
            now = TimeClock().now()
            unseen = self._get_available_calls(now) - max(0, available_calls)
            if unseen > 0:
                self._bucket.put(RateItem(name="spent-elsewhere", timestamp=now, weight=unseen))

    def count_from_now(self, request: object) -> None:
        """Count `request` from now (its answer) instead of from when the window let it go."""
        with self._limiter.lock:
            items = self._bucket.items
            for index in range(len(items) - 1, -1, -1):
                if items[index].name is request:
                    break
            else:
                return  # already out of the window, or never in it
            item = items.pop(index)
            item.timestamp = TimeClock().now()
            items.append(item)  # now is later than every item: the window stays in time order


class GHLBudget(HttpAPIBudget):
    """The CDK's budget, optionally counting each request from its answer (`count_from_answer`).

    Why: the window lets a request go, but a process short of CPU (many locations in one process, a container
    throttled by its CPU limit) may send it hundreds of ms later. Counted from its release, that request then
    leaves our window while it is still in GHL's, and the request that takes its slot is refused (429).
    Counted from its answer, it leaves our window after it has left GHL's, however late it was sent.
    """

    def __init__(self, *args: object, count_from_answer: bool = False, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.count_from_answer = count_from_answer

    def update_from_response(self, request: object, response: object) -> None:
        if self.count_from_answer:
            policy = self.get_matching_policy(request)
            if isinstance(policy, GHLWindowPolicy):
                policy.count_from_now(request)
        super().update_from_response(request, response)


def build_api_budget(requests_per_10_seconds: int, count_from_answer: bool = False) -> GHLBudget:
    """The CDK API budget for one GHL location: `requests_per_10_seconds` per (10 s + margin). Agency runs
    (many locations in one process) count each request from its answer (`GHLBudget`)."""
    policy = GHLWindowPolicy(
        rates=[Rate(limit=requests_per_10_seconds, interval=burst_window(count_from_answer))],
        matchers=[],  # every request to GHL counts against the same per-location budget
    )
    return GHLBudget(
        policies=[policy],
        ratelimit_remaining_header=HEADER_REMAINING,
        ratelimit_reset_header=_NO_RESET_HEADER,
        status_codes_for_ratelimit_hit=[429],
        count_from_answer=count_from_answer,
    )


def _int_header(response: requests.Response, name: str) -> Optional[int]:
    value = response.headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def seconds_until_window_frees(response: requests.Response) -> float:
    """How long to wait after a 429: GHL sends no Retry-After, only its window length."""
    interval_ms = _int_header(response, HEADER_INTERVAL_MS)
    return (interval_ms / 1000.0) if interval_ms else float(BURST_WINDOW_SECONDS)


def daily_quota_spent(response: requests.Response) -> bool:
    return _int_header(response, HEADER_DAILY_REMAINING) == 0


def hours_until_daily_reset(response: requests.Response) -> Optional[float]:
    reset_ms = _int_header(response, HEADER_DAILY_RESET_MS)
    return round(reset_ms / 3_600_000, 1) if reset_ms is not None else None
