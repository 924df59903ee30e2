"""Request statistics for `/_sandbox/stats` (admin requests are not counted).

Besides the totals, requests made with a token bound to a location are counted per location (and those
made with a Company token per company), with the peak number served in any sliding window of the rate
limit's length, so a benchmark can check each location stayed within its own budget.
"""
from __future__ import annotations

import time
from collections import deque


class _Peak:
    """Largest number of events in any sliding window of `window` seconds."""

    __slots__ = ("q", "peak")

    def __init__(self):
        self.q: deque = deque()
        self.peak = 0

    def add(self, now: float, window: float) -> None:
        q = self.q
        q.append(now)
        edge = now - window
        while q[0] <= edge:
            q.popleft()
        if len(q) > self.peak:
            self.peak = len(q)


class _Resource:
    """Counters of one location (or company)."""

    __slots__ = ("served", "limited", "served_peak", "all_peak", "first_at", "last_at")

    def __init__(self):
        self.served = 0
        self.limited = 0
        self.served_peak = _Peak()
        self.all_peak = _Peak()
        self.first_at = None  # when the first and the last answer went out (epoch s): a client's span of work
        self.last_at = None

    def to_dict(self) -> dict:
        return {"requests": self.served, "429": self.limited, "peak_window": self.served_peak.peak,
                "peak_window_attempts": self.all_peak.peak, "first_at": self.first_at, "last_at": self.last_at}


class Stats:
    PEAK_WINDOW = 10.0

    def __init__(self, window_seconds: float = 10.0):
        self.window_seconds = window_seconds  # the rate limit's burst window (per-resource peaks)
        self.reset()

    def reset(self) -> None:
        self.requests_total = 0
        self.by_route: dict[str, dict[str, int]] = {}
        self.by_status: dict[str, int] = {}
        self.rate_limited = 0
        self.per_second: dict[int, int] = {}
        self._recent: deque = deque()
        self._recent_served: deque = deque()
        self.peak_10s = 0
        self.peak_10s_served = 0
        self.faults_injected: dict[str, int] = {}
        self.resources: dict[str, dict[str, _Resource]] = {"locations": {}, "companies": {}}
        self.started = time.time()

    def record(self, route_key: str, status: int, fault: str | None = None,
               resource: tuple[str, str] | None = None) -> None:
        """Count one GHL request. `resource` is ("locations", id) or ("companies", id): whose budget it
        was charged to (None when no valid token)."""
        now = time.time()
        self.requests_total += 1
        st = str(status)
        r = self.by_route.get(route_key)
        if r is None:
            r = self.by_route[route_key] = {}
        r[st] = r.get(st, 0) + 1
        self.by_status[st] = self.by_status.get(st, 0) + 1
        if status == 429:
            self.rate_limited += 1
        sec = int(now)
        self.per_second[sec] = self.per_second.get(sec, 0) + 1
        edge = now - self.PEAK_WINDOW
        q = self._recent
        q.append(now)
        while q[0] <= edge:
            q.popleft()
        if len(q) > self.peak_10s:
            self.peak_10s = len(q)
        if status != 429:
            q = self._recent_served
            q.append(now)
            while q[0] <= edge:
                q.popleft()
            if len(q) > self.peak_10s_served:
                self.peak_10s_served = len(q)
        if fault:
            self.faults_injected[fault] = self.faults_injected.get(fault, 0) + 1
        if resource is not None:
            self._count(resource, status, now)

    def _count(self, resource: tuple[str, str], status, now: float) -> None:
        kind, rid = resource
        res = self.resources[kind].get(rid)
        if res is None:
            res = self.resources[kind][rid] = _Resource()
        res.all_peak.add(now, self.window_seconds)
        if res.first_at is None:
            res.first_at = now
        res.last_at = now
        if status == 429:
            res.limited += 1
        else:
            res.served += 1
            res.served_peak.add(now, self.window_seconds)

    def to_dict(self) -> dict:
        return {
            "requests_total": self.requests_total,
            "by_route": self.by_route,
            "by_status": self.by_status,
            "rate_limited": self.rate_limited,
            "peak_requests_10s": self.peak_10s,
            "peak_served_10s": self.peak_10s_served,
            "per_second": sorted([k, v] for k, v in self.per_second.items()),
            "faults_injected": self.faults_injected,
            "since": self.started,
            "window_seconds": self.window_seconds,
            "locations": {k: v.to_dict() for k, v in self.resources["locations"].items()},
            "companies": {k: v.to_dict() for k, v in self.resources["companies"].items()},
        }
