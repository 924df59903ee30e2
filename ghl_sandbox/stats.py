"""Request statistics for `/_sandbox/stats` (admin requests are not counted)."""
from __future__ import annotations

import time
from collections import deque


class Stats:
    PEAK_WINDOW = 10.0

    def __init__(self):
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
        self.started = time.time()

    def record(self, route_key: str, status: int, fault: str | None = None) -> None:
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
        }
