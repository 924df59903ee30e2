"""Run 1, full sync at GHL's limits: 100 requests per 10 s, 150 ms +- 50 ms latency, contacts with their
tasks, notes and appointments. The floor is requests / allowed rate: no client can be faster.
"""
from __future__ import annotations

import contextlib

from ghl_sandbox.process import SandboxProcess

from .harness import (AT_GHL_LIMITS, BenchError, ProcessRun, Workdir, configured_catalog, connector_config,
                      discover, final_state, floor_seconds, pacing, quiet_window, read_source,
                      sandbox_summary, source_options, source_spec)

STREAMS = ["contacts", "tasks", "notes", "appointments"]
TARGET_RATIO = 1.10
# With the optional scopes (the sandbox's read-only token has them) tasks and appointments are read
# location-wide: notes stay one request per contact (GHL has no location-wide notes read).
TARGET_REQUESTS_PER_CONTACT = 1.5
DAILY_QUOTA = 200_000  # GHL's requests per app and location per day


@contextlib.contextmanager
def synced_account(contacts: int, *, unlimited: bool = False, **knobs):
    """A sandbox account with the source's config and catalog for STREAMS."""
    spec_run = source_spec()
    with SandboxProcess(seed=1, contacts=contacts, **knobs) as sb, Workdir() as wd:
        config = connector_config(sb, **source_options(spec_run, unlimited=unlimited))
        catalog = configured_catalog(discover(wd, config), STREAMS)
        yield sb, wd, config, catalog


def timed_figures(run: ProcessRun, stats: dict) -> dict:
    summary = sandbox_summary(stats)
    floor = floor_seconds(summary["requests"])
    ratio = run.wall_s / floor if floor else None
    return {"wall_s": round(run.wall_s, 1), "requests": summary["requests"], "floor_s": round(floor, 1),
            "time_over_floor": round(ratio, 3) if ratio else None, "rate_limited_429": summary["rate_limited_429"],
            "records": run.records, "requests_by_route": summary["by_route"],
            "peak_requests_10s": summary["peak_requests_10s"], "cpu_s": round(run.cpu_s, 2)}


def limit_targets(name: str, fig: dict) -> list:
    return [{"target": f"{name}: time <= {TARGET_RATIO:.2f} x floor", "value": fig["time_over_floor"],
             "met": fig["time_over_floor"] is not None and fig["time_over_floor"] <= TARGET_RATIO},
            {"target": f"{name}: zero 429s", "value": fig["rate_limited_429"], "met": fig["rate_limited_429"] == 0}]


def measure(sb, wd: Workdir, config: dict, catalog: dict, contacts: int) -> tuple[dict, list]:
    """One full sync from no state; returns its figures and the state for the next sync."""
    quiet_window(sb)
    timeout = 3 * floor_seconds(contacts * (1 + len(STREAMS))) + 300
    run = read_source(wd, config, catalog, tag="full", timeout_s=timeout)
    stats = sb.stats()
    if run.records.get("contacts") != contacts:
        raise BenchError(f"the full sync read {run.records.get('contacts', 0)} contacts of {contacts}")
    fig = {"contacts": contacts, "streams": STREAMS, **timed_figures(run, stats), "pacing": pacing(stats)}
    fig.update(request_economy(fig["requests"], contacts))
    fig["targets"] = limit_targets("full sync", fig) + [
        {"target": f"full sync: requests per contact <= {TARGET_REQUESTS_PER_CONTACT}",
         "value": fig["requests_per_contact"], "met": fig["requests_per_contact"] <= TARGET_REQUESTS_PER_CONTACT}]
    return fig, final_state(run.states)


def request_economy(requests: int, contacts: int) -> dict:
    """Requests per contact, and how many contacts one full sync can cover within GHL's daily quota."""
    per_contact = requests / contacts
    return {"requests_per_contact": round(per_contact, 3),
            "contacts_per_daily_quota": int(DAILY_QUOTA / per_contact)}


def run(contacts: int = 2000) -> dict:
    with synced_account(contacts, **AT_GHL_LIMITS) as (sb, wd, config, catalog):
        return measure(sb, wd, config, catalog, contacts)[0]
