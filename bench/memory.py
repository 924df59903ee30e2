"""Run 4, memory: peak RSS of the source process (its own ru_maxrss) reading the contacts stream at two
account sizes, sandbox with no latency and no limit. A source that streams holds one page at a time, so the
peak must not grow with the account.
"""
from __future__ import annotations

from ghl_sandbox.process import SandboxProcess

from .harness import (UNLIMITED, BenchError, Workdir, configured_catalog, connector_config, discover,
                      read_source, source_options, source_spec)

TARGET_GROWTH = 1.20


def _peak(contacts: int, spec_run) -> dict:
    with SandboxProcess(seed=1, contacts=contacts, **UNLIMITED) as sb, Workdir() as wd:
        config = connector_config(sb, **source_options(spec_run, unlimited=True))
        catalog = configured_catalog(discover(wd, config), ["contacts"], incremental=False)
        run = read_source(wd, config, catalog, tag=f"mem{contacts}", timeout_s=1200)
    if run.records.get("contacts") != contacts:
        raise BenchError(f"the source read {run.records.get('contacts', 0)} contacts of {contacts}")
    return {"contacts": contacts, "max_rss_mb": round(run.max_rss_mb, 1), "wall_s": round(run.wall_s, 2),
            "cpu_s": round(run.cpu_s, 2)}


def run(sizes: tuple[int, int] = (10_000, 100_000)) -> dict:
    spec_run = source_spec()
    small, large = (_peak(n, spec_run) for n in sizes)
    growth = large["max_rss_mb"] / small["max_rss_mb"]
    return {"startup_max_rss_mb": round(spec_run.max_rss_mb, 1), "small": small, "large": large,
            "growth": round(growth, 3),
            "targets": [{"target": f"peak RSS at {sizes[1]:,} <= {TARGET_GROWTH:.2f} x at {sizes[0]:,}",
                         "value": round(growth, 3), "met": growth <= TARGET_GROWTH}]}
