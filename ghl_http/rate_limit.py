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

# GHL sends no epoch reset header; naming one it never sends keeps the CDK from misreading
# `x-ratelimit-daily-reset` (a duration) as an epoch time.
_NO_RESET_HEADER = "x-ghl-reset-epoch-not-sent"


def burst_window() -> timedelta:
    return timedelta(seconds=BURST_WINDOW_SECONDS) + WINDOW_SAFETY_MARGIN


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


def build_api_budget(requests_per_10_seconds: int) -> HttpAPIBudget:
    """The CDK API budget for one GHL location: `requests_per_10_seconds` per (10 s + margin)."""
    policy = GHLWindowPolicy(
        rates=[Rate(limit=requests_per_10_seconds, interval=burst_window())],
        matchers=[],  # every request to GHL counts against the same per-location budget
    )
    return HttpAPIBudget(
        policies=[policy],
        ratelimit_remaining_header=HEADER_REMAINING,
        ratelimit_reset_header=_NO_RESET_HEADER,
        status_codes_for_ratelimit_hit=[429],
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
