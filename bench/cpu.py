"""Run 3, CPU cost: the source reading the contacts stream from a sandbox with no latency and no limit,
side by side with a plain `requests` loop paging the same endpoint (bench/plain_loop.py), both as child
processes whose own CPU time is measured. The start-up of each (interpreter and imports: `spec` for the
source, `import requests` for the loop) is measured on its own and subtracted for the net figures.
"""
from __future__ import annotations

import sys

from ghl_sandbox.process import SandboxProcess
from source_ghl_contacts.custom_columns import standard_columns

from .harness import (UNLIMITED, BenchError, ProcessRun, Workdir, api_requests, configured_catalog,
                      connector_config, discover, read_source, run_process, source_options, source_spec)

TARGET_RATIO = 0.5  # source records/s at least half the plain loop's
TARGET_RECORDS_S = 5000.0


def _plain_loop(sb) -> ProcessRun:
    argv = [sys.executable, "-m", "bench.plain_loop", sb.base_url,
            sb.credentials["private_integration_tokens"]["readonly"], sb.location_id, "500"]
    run = run_process(argv, timeout_s=600).check("plain requests loop")
    run.records = {"contacts": run.replies["OUTPUT"]["records"]}
    return run


def figures(run: ProcessRun, startup: ProcessRun) -> dict:
    n = run.total_records
    # Never less than the span between the first and last record: start-up is measured in another process.
    net_wall = max(run.wall_s - startup.wall_s, (run.last_record_s or 0) - (run.first_record_s or 0), 1e-3)
    net_cpu = max(run.cpu_s - startup.cpu_s, 0.0)
    return {"records": n, "wall_s": round(run.wall_s, 2), "cpu_s": round(run.cpu_s, 2),
            "startup_wall_s": round(startup.wall_s, 2), "startup_cpu_s": round(startup.cpu_s, 2),
            "records_per_s_gross": round(n / run.wall_s), "records_per_s": round(n / net_wall),
            "cpu_s_per_1k_gross": round(run.cpu_s / n * 1000, 4) if n else None,
            "cpu_s_per_1k": round(net_cpu / n * 1000, 4) if n else None}


def run(contacts: int = 50_000) -> dict:
    src_startup = source_spec()
    loop_startup = run_process([sys.executable, "-c", "import json, requests"], timeout_s=60).check("python")
    with SandboxProcess(seed=1, contacts=contacts, **UNLIMITED) as sb, Workdir() as wd:
        config = connector_config(sb, **source_options(src_startup, unlimited=True))
        catalog = configured_catalog(discover(wd, config), ["contacts"], incremental=False)
        # The read-only token has locations/customFields.readonly: the source fills one typed column per field.
        custom_columns = sorted(name for name in catalog["streams"][0]["stream"]["json_schema"]["properties"]
                                if name.lower() not in standard_columns())
        plain_runs, requests_by = [], {}
        plain_runs.append(_plain_loop(sb))  # also warms the sandbox's caches before the source runs
        sb.reset_stats()
        src = read_source(wd, config, catalog, tag="cpu", timeout_s=900)
        requests_by["source"] = api_requests(sb.stats())
        sb.reset_stats()
        plain_runs.append(_plain_loop(sb))
        requests_by["plain_loop"] = api_requests(sb.stats())
    if src.records.get("contacts") != contacts:
        raise BenchError(f"the source read {src.records.get('contacts', 0)} contacts of {contacts}")
    plain = min(plain_runs, key=lambda r: r.wall_s)  # the better of two, either side of the source's run
    s, p = figures(src, src_startup), figures(plain, loop_startup)
    s["requests"], p["requests"] = requests_by["source"], requests_by["plain_loop"]
    ratio = s["records_per_s"] / p["records_per_s"]
    return {"contacts": contacts, "custom_field_columns": len(custom_columns), "source": s, "plain_loop": p,
            "plain_loop_runs_wall_s": [round(r.wall_s, 2) for r in plain_runs],
            "startup_source": {"wall_s": round(src_startup.wall_s, 2), "cpu_s": round(src_startup.cpu_s, 2),
                               "max_rss_mb": round(src_startup.max_rss_mb, 1)},
            "ratio_records_per_s": round(ratio, 3),
            "ratio_cpu_per_record": round(s["cpu_s_per_1k"] / p["cpu_s_per_1k"], 2) if p["cpu_s_per_1k"] else None,
            "targets": [
                {"target": f"source records/s >= {TARGET_RATIO:g} x plain loop", "value": round(ratio, 3),
                 "met": ratio >= TARGET_RATIO},
                {"target": f"source >= {TARGET_RECORDS_S:,.0f} contacts/s (net of start-up)",
                 "value": s["records_per_s"], "met": s["records_per_s"] >= TARGET_RECORDS_S}]}
