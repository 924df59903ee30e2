"""Run 2, incremental: after a full sync, sync again with its state with nothing changed, then after 1 % of
the contacts changed, at GHL's limits. The requests must follow the changes, not the size of the account.
"""
from __future__ import annotations

from .full_sync import STREAMS, timed_figures
from .harness import AT_GHL_LIMITS, UNLIMITED, final_state, quiet_window, read_source

CHANGED_SHARE = 0.01
MUTATE_SEED = 7
UNPACED_CLIENT_RATE = 1000  # the highest requests_per_10_seconds the source's spec allows
SIZE_FACTOR = 10  # the account of the size comparison is this many times smaller


def _sync(sb, wd, config, catalog, state: list, tag: str) -> tuple[dict, list]:
    quiet_window(sb)
    run = read_source(wd, config, catalog, state=state, tag=tag, timeout_s=900)
    return timed_figures(run, sb.stats()), final_state(run.states) or state


def measure(sb, wd, config: dict, catalog: dict, contacts: int, state: list, full_requests: int) -> dict:
    unchanged, state = _sync(sb, wd, config, catalog, state, "incr-nochange")
    changed = max(1, round(contacts * CHANGED_SHARE))
    sb.mutate(update=changed, seed=MUTATE_SEED)
    after, _ = _sync(sb, wd, config, catalog, state, "incr-1pct")
    smaller = requests_at_size(max(changed * 4, contacts // SIZE_FACTOR), changed)
    per_contact_full = full_requests / contacts
    per_change = (after["requests"] - unchanged["requests"]) / changed
    # The same changes in an account SIZE_FACTOR times smaller: the requests must not follow the account.
    size_cap = smaller["after_changes"] * 1.10 + 2
    return {
        "contacts": contacts, "changed_contacts": changed, "no_change": unchanged, "after_changes": after,
        "full_sync_requests": full_requests,
        "requests_vs_full": round(after["requests"] / full_requests, 4) if full_requests else None,
        "requests_per_change": round(per_change, 2), "full_requests_per_contact": round(per_contact_full, 2),
        "smaller_account": smaller,
        "targets": [
            {"target": f"same {changed} changes, {contacts:,} vs {smaller['contacts']:,} contacts: requests <= "
                       f"1.10 x the smaller account's + 2 (= {size_cap:.0f})",
             "value": after["requests"], "met": after["requests"] <= size_cap},
            {"target": f"requests per changed contact <= 1.5 x a full sync's requests per contact "
                       f"(= {1.5 * per_contact_full:.1f})", "value": round(per_change, 2),
             "met": per_change <= 1.5 * per_contact_full},
            {"target": "incremental: zero 429s", "value": after["rate_limited_429"] + unchanged["rate_limited_429"],
             "met": after["rate_limited_429"] + unchanged["rate_limited_429"] == 0}],
    }


def requests_at_size(contacts: int, changed: int) -> dict:
    """Request counts (not times: no latency, no limit) of the same incremental cycle in another account."""
    from .full_sync import measure as full_measure, synced_account

    with synced_account(contacts, unlimited=True, **UNLIMITED) as (sb, wd, config, catalog):
        full, state = full_measure(sb, wd, config, catalog, contacts)
        unchanged, state = _sync(sb, wd, config, catalog, state, "size-nochange")
        sb.mutate(update=changed, seed=MUTATE_SEED)
        after, _ = _sync(sb, wd, config, catalog, state, "size-changes")
    return {"contacts": contacts, "full": full["requests"], "no_change": unchanged["requests"],
            "after_changes": after["requests"]}


def state_without_pacing(sb, wd, config: dict, catalog: dict, contacts: int) -> tuple[list, int]:
    """When run 2 runs without run 1: a full sync with the limits lifted (its request count does not depend
    on pacing), then GHL's limits back on for the measured syncs."""
    from .full_sync import measure as full_measure

    sb.set_faults(rate_limit=False, rate_limit_burst=UNLIMITED["rate_limit_burst"], latency_ms=0, jitter_ms=0)
    fig, state = full_measure(sb, wd, {**config, "requests_per_10_seconds": UNPACED_CLIENT_RATE}, catalog, contacts)
    sb.set_faults(rate_limit=True, rate_limit_burst=AT_GHL_LIMITS["rate_limit_burst"],
                  latency_ms=AT_GHL_LIMITS["latency_ms"], jitter_ms=AT_GHL_LIMITS["jitter_ms"])
    return state, fig["requests"]
