"""Fault injection, deterministic from the seed.

One uniform draw per eligible request picks at most one fault, so the same request sequence with the same
seed meets the same faults. Kinds:

* `429`, `500`, `502` (HTML body, like a CDN), `503`, `504`: answered *before* the route runs, so a write
  is not applied.
* `stall` (sleep `stall_seconds`, then answer), `drop` (close the socket, no response) and `truncate`
  (a 200 whose JSON body is cut short): applied *after* the route ran, so a write is applied and the client
  loses the answer. A client that blindly re-sends a create makes a duplicate, as it would against GHL.

Latency: every GHL request waits `latency_ms` plus a uniform `0..jitter_ms`.
"""
from __future__ import annotations

import random

from .config import FAULT_KINDS

PRE_KINDS = ("429", "500", "502", "503", "504")
POST_KINDS = ("stall", "drop", "truncate")

HTML_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway"
            b"</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n")
HTML_504 = (b"<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway "
            b"Time-out</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n")

FAULT_RESPONSES = {
    "429": (429, b'{"statusCode":429,"message":"Too Many Requests"}', b"application/json; charset=utf-8"),
    "500": (500, b'{"statusCode":500,"message":"Internal server error"}', b"application/json; charset=utf-8"),
    "502": (502, HTML_502, b"text/html"),
    "503": (503, b'{"statusCode":503,"message":"Service Unavailable"}', b"application/json; charset=utf-8"),
    "504": (504, HTML_504, b"text/html"),
}


class Faults:
    def __init__(self, seed: int, probabilities: dict[str, float] | None = None, stall_seconds: float = 30.0,
                 latency_ms: float = 0.0, jitter_ms: float = 0.0, routes: list[str] | None = None,
                 oauth: bool = False):
        self.seed = seed
        self.rng = random.Random(f"ghl-sandbox:{seed}:faults")
        self.probabilities = {k: 0.0 for k in FAULT_KINDS}
        if probabilities:
            self.probabilities.update({k: float(v) for k, v in probabilities.items()})
        self.stall_seconds = stall_seconds
        self.latency_ms = latency_ms
        self.jitter_ms = jitter_ms
        self.routes = list(routes or [])
        self.oauth = oauth
        self.injected = {k: 0 for k in FAULT_KINDS}
        self._refresh()

    def _refresh(self) -> None:
        self.active = any(p > 0 for p in self.probabilities.values())
        cum = []
        acc = 0.0
        for k in FAULT_KINDS:
            acc += self.probabilities[k]
            cum.append((acc, k))
        self._cum = cum

    def reseed(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"ghl-sandbox:{seed}:faults")

    def configure(self, probabilities: dict | None = None, **kw) -> None:
        probs = dict(self.probabilities)
        for k, v in (probabilities or {}).items():
            if k not in probs:
                raise ValueError(f"unknown fault kind {k}")
            p = float(v)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"fault probability out of range: {k}={v}")
            probs[k] = p
        if sum(probs.values()) > 1.0 + 1e-9:
            raise ValueError("fault probabilities add up to more than 1")
        self.probabilities = probs
        for k, v in kw.items():
            if v is not None:
                setattr(self, k, v)
        self._refresh()

    def delay_seconds(self) -> float:
        if self.latency_ms <= 0 and self.jitter_ms <= 0:
            return 0.0
        j = self.rng.random() * self.jitter_ms if self.jitter_ms > 0 else 0.0
        return (self.latency_ms + j) / 1000.0

    def eligible(self, route_key: str, is_oauth: bool) -> bool:
        if is_oauth and not self.oauth:
            return False
        if not self.routes:
            return True
        return any(route_key == r or route_key.startswith(r) for r in self.routes)

    def draw(self) -> str | None:
        """Pick the fault for one request (or None)."""
        if not self.active:
            return None
        u = self.rng.random()
        for edge, kind in self._cum:
            if u < edge:
                self.injected[kind] += 1
                return kind
        return None

    def to_dict(self) -> dict:
        d = {f"fault_{k}": v for k, v in self.probabilities.items()}
        d.update(stall_seconds=self.stall_seconds, latency_ms=self.latency_ms, jitter_ms=self.jitter_ms,
                 fault_routes=list(self.routes), fault_oauth=self.oauth, seed=self.seed,
                 injected=dict(self.injected))
        return d
