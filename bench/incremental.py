"""Run 2, incremental: after a full sync, sync again with its state with nothing changed, then after 1 % of
the contacts changed, at GHL's limits. The requests must follow the changes, not the size of the account.
"""
from __future__ import annotations

from .full_sync import STREAMS, timed_figures
from .harness import AT_GHL_LIMITS, UNLIMITED, final_state, quiet_window, read_source

CHANGED_SHARE = 0.01
MUTATE_SEED = 7


def _sync(sb, wd, config, catalog, state: list, tag: str) -> tuple[dict, list]:
    quiet_window(sb)
    run = read_source(wd, config, catalog, state=state, tag=tag, timeout_s=900)
    return timed_figures(run, sb.stats()), final_state(run.states) or state


def measure(sb, wd, config: dict, catalog: dict, contacts: int, state: list, full_requests: int) -> dict:
    unchanged, state = _sync(sb, wd, config, catalog, state, "incr-nochange")
    changed = max(1, round(contacts * CHANGED_SHARE))
    sb.mutate(update=changed, seed=MUTATE_SEED)
    after, _ = _sync(sb, wd, config, catalog, state, "incr-1pct")
    per_contact_full = full_requests / contacts
    # What the changes alone justify: each changed contact costs at most what a contact costs in a full sync
    # (half again for paging slack), on top of the requests a sync with no change makes.
    allowed = unchanged["requests"] + 1.5 * changed * per_contact_full
    baseline_cap = 2 * len(STREAMS)
    return {
        "contacts": contacts, "changed_contacts": changed, "no_change": unchanged, "after_changes": after,
        "full_sync_requests": full_requests,
        "requests_vs_full": round(after["requests"] / full_requests, 4) if full_requests else None,
        "requests_per_change": round((after["requests"] - unchanged["requests"]) / changed, 2),
        "full_requests_per_contact": round(per_contact_full, 2),
        "targets": [
            {"target": f"no-change sync: <= {baseline_cap} requests (independent of the {contacts:,} contacts)",
             "value": unchanged["requests"], "met": unchanged["requests"] <= baseline_cap},
            {"target": f"1 % changed: requests <= no-change + 1.5 x changes x full requests/contact "
                       f"(= {allowed:.0f})", "value": after["requests"], "met": after["requests"] <= allowed},
            {"target": "incremental: zero 429s", "value": after["rate_limited_429"] + unchanged["rate_limited_429"],
             "met": after["rate_limited_429"] + unchanged["rate_limited_429"] == 0}],
    }


def state_without_pacing(sb, wd, config: dict, catalog: dict, contacts: int) -> tuple[list, int]:
    """When run 2 runs without run 1: a full sync with the limits lifted (its request count does not depend
    on pacing), then GHL's limits back on for the measured syncs."""
    from .full_sync import measure as full_measure

    sb.set_faults(rate_limit=False, rate_limit_burst=UNLIMITED["rate_limit_burst"], latency_ms=0, jitter_ms=0)
    fig, state = full_measure(sb, wd, config, catalog, contacts)
    sb.set_faults(rate_limit=True, rate_limit_burst=AT_GHL_LIMITS["rate_limit_burst"],
                  latency_ms=AT_GHL_LIMITS["latency_ms"], jitter_ms=AT_GHL_LIMITS["jitter_ms"])
    return state, fig["requests"]
