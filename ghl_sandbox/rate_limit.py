"""GHL's rate limits, per (app, location): a sliding burst window (default 100 requests per 10 s) and a
daily cap (default 200,000). Header names and semantics follow BEHAVIOUR 5: lowercase `x-ratelimit-*` on
every response, `x-ratelimit-daily-reset` is a duration in ms, no `Retry-After`.

A request refused with 429 is not served, so it does not consume the burst or daily budget: a client that
keeps retrying during the window is refused until the oldest request leaves the window, then served.
"""
from __future__ import annotations

import time
from collections import deque

DAY_MS = 86_400_000

TOO_MANY = {"statusCode": 429, "message": "Too Many Requests"}


class Bucket:
    __slots__ = ("window", "day_start", "day_count")

    def __init__(self, now: float):
        self.window: deque = deque()
        self.day_start = now
        self.day_count = 0


class RateLimiter:
    def __init__(self, burst: int = 100, window_seconds: float = 10.0, daily: int = 200_000,
                 enabled: bool = True):
        self.burst = burst
        self.window_seconds = window_seconds
        self.daily = daily
        self.enabled = enabled
        self.buckets: dict = {}

    def configure(self, burst=None, window_seconds=None, daily=None, enabled=None) -> None:
        if burst is not None:
            self.burst = int(burst)
        if window_seconds is not None:
            self.window_seconds = float(window_seconds)
        if daily is not None:
            self.daily = int(daily)
        if enabled is not None:
            self.enabled = bool(enabled)

    def reset(self) -> None:
        self.buckets.clear()

    def _headers(self, remaining: int, daily_remaining: int, daily_reset_ms: int) -> list:
        return [
            (b"x-ratelimit-limit-daily", str(self.daily).encode()),
            (b"x-ratelimit-daily-remaining", str(max(0, daily_remaining)).encode()),
            (b"x-ratelimit-interval-milliseconds", str(int(self.window_seconds * 1000)).encode()),
            (b"x-ratelimit-max", str(self.burst).encode()),
            (b"x-ratelimit-remaining", str(max(0, remaining)).encode()),
            (b"x-ratelimit-daily-reset", str(max(0, daily_reset_ms)).encode()),
        ]

    def unattributed_headers(self) -> list:
        """Headers for responses that cannot be tied to an app (no or invalid token)."""
        return self._headers(self.burst, self.daily, DAY_MS)

    def peek(self, key) -> list:
        """Headers for a key without consuming anything."""
        now = time.monotonic()
        b = self.buckets.get(key)
        if b is None:
            return self._headers(self.burst, self.daily, DAY_MS)
        self._roll(b, now)
        return self._headers(self.burst - len(b.window), self.daily - b.day_count,
                             int((b.day_start + DAY_MS / 1000 - now) * 1000))

    def _roll(self, b: Bucket, now: float) -> None:
        edge = now - self.window_seconds
        w = b.window
        while w and w[0] <= edge:
            w.popleft()
        if now - b.day_start >= DAY_MS / 1000:
            b.day_start = now
            b.day_count = 0

    def hit(self, key) -> tuple[bool, list]:
        """Try to serve one request for `key`. Returns (allowed, headers)."""
        now = time.monotonic()
        b = self.buckets.get(key)
        if b is None:
            b = self.buckets[key] = Bucket(now)
        self._roll(b, now)
        reset_ms = int((b.day_start + DAY_MS / 1000 - now) * 1000)
        if self.enabled and (b.day_count >= self.daily or len(b.window) >= self.burst):
            return False, self._headers(self.burst - len(b.window), self.daily - b.day_count, reset_ms)
        b.window.append(now)
        b.day_count += 1
        return True, self._headers(self.burst - len(b.window), self.daily - b.day_count, reset_ms)
