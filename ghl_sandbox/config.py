"""Every knob of the sandbox, with GHL's defaults."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

FAULT_KINDS = ("429", "500", "502", "503", "504", "stall", "drop", "truncate")


@dataclass
class SandboxConfig:
    # data
    seed: int = 1
    contacts: int = 60  # per location
    locations: int = 1
    db: str | None = None  # None: in-memory
    allow_duplicates: bool = False  # location setting "Allow Duplicate Contact"
    upsert_match: str = "email_phone"  # email | phone | email_phone | phone_email
    seed_cache: bool = True  # reuse a cached copy of large seeded databases (see seed_cache_dir)
    # rate limits (GHL: 100 per 10 s and 200,000 per day, per app and location)
    rate_limit: bool = True
    rate_limit_burst: int = 100
    rate_limit_window_seconds: float = 10.0
    rate_limit_daily: int = 200_000
    # tokens
    token_expires_in: int = 86399
    # search index lag
    search_lag_seconds: float = 0.0
    # latency and faults
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    fault_429: float = 0.0
    fault_500: float = 0.0
    fault_502: float = 0.0
    fault_503: float = 0.0
    fault_504: float = 0.0
    fault_stall: float = 0.0
    fault_drop: float = 0.0
    fault_truncate: float = 0.0
    stall_seconds: float = 30.0
    fault_seed: int | None = None  # None: derived from seed
    fault_routes: list[str] = field(default_factory=list)  # empty: every GHL route
    fault_oauth: bool = False  # apply faults to POST /oauth/token too
    # webhooks (webhooks.py): GHL retries a 429 about every 10 minutes; tests scale that down
    webhook_retry_scale: float = 1.0
    webhook_timeout_seconds: float = 10.0

    def fault_probabilities(self) -> dict[str, float]:
        return {k: float(getattr(self, "fault_" + k)) for k in FAULT_KINDS}

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def copy(self) -> "SandboxConfig":
        return dataclasses.replace(self, fault_routes=list(self.fault_routes))


# Knobs that POST /_sandbox/faults may change at run time.
RUNTIME_KNOBS = {
    "fault_429", "fault_500", "fault_502", "fault_503", "fault_504", "fault_stall", "fault_drop",
    "fault_truncate", "stall_seconds", "latency_ms", "jitter_ms", "token_expires_in",
    "search_lag_seconds", "rate_limit", "rate_limit_burst", "rate_limit_window_seconds",
    "rate_limit_daily", "fault_routes", "fault_oauth",
}
