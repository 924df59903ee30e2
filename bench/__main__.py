"""`python -m bench` (`make bench`): every benchmark of issue 7 against the local sandbox, a table of the
figures and targets, bench/results/latest.json and the pacing plots.

    python -m bench                   # the issue's sizes (long: runs 1-2 and 5 are bound by GHL's rate limit)
    python -m bench --quick           # small sizes to iterate; writes bench/results/quick/ instead
    python -m bench --only cpu,memory # some runs; the others keep their last figures in the results file
    python -m bench --table           # print the table of the last results without running anything

Runs 1-2 and run 5 spend most of their time waiting on the rate limit, so by default they run at the same
time, each against its own sandbox (its own limit); --serial runs them one after another. The CPU-bound runs
(sandbox speed, 3 and 4) always run alone, after them.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
import traceback

from . import agency, cpu, destination, full_sync, incremental, memory, plot
from .harness import AT_GHL_LIMITS, GHL_BURST, GHL_WINDOW_S, BenchError

RUNS = ("full_sync", "incremental", "destination", "sandbox_speed", "cpu", "memory", "agency")
# agency: (locations, contacts per location, the fan-out curve's location counts, its contacts per location)
SIZES = {"full": {"sync": 2000, "dest": 2000, "cpu": 50_000, "memory": (10_000, 100_000), "speed_s": 10,
                  "agency": (20, 100, (1, 5, 10, 20, 40), 50)},
         "quick": {"sync": 200, "dest": 150, "cpu": 5000, "memory": (2000, 20_000), "speed_s": 3,
                   "agency": (5, 20, (1, 5, 10), 10)}}
HERE = os.path.dirname(os.path.abspath(__file__))


def _guarded(name: str, fn, *args) -> dict:
    t0 = time.monotonic()
    print(f"[bench] {name}: started", flush=True)
    try:
        out = fn(*args)
    except BenchError as e:
        out = {"error": str(e)}
    except Exception as e:  # a harness bug must not cost the other runs' figures
        out = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-2000:]}
    out["measured_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    out["bench_seconds"] = round(time.monotonic() - t0, 1)
    status = "FAILED: " + out["error"] if "error" in out else "done"
    print(f"[bench] {name}: {status} ({out['bench_seconds']:.0f} s)", flush=True)
    return out


def sync_group(selected: set, contacts: int, results: dict) -> None:
    """Runs 1 and 2 in one sandbox account: the incremental syncs start from the full sync's state."""
    try:
        with full_sync.synced_account(contacts, **AT_GHL_LIMITS) as (sb, wd, config, catalog):
            kept: dict = {}
            if "full_sync" in selected:
                def full() -> dict:
                    fig, kept["state"] = full_sync.measure(sb, wd, config, catalog, contacts)
                    return fig
                results["full_sync"] = _guarded("full_sync", full)
                if "error" in results["full_sync"]:
                    raise BenchError("the full sync failed, so there is no state to sync incrementally from")
                full_requests = results["full_sync"]["requests"]
            else:
                kept["state"], full_requests = incremental.state_without_pacing(sb, wd, config, catalog, contacts)
            if "incremental" in selected:
                results["incremental"] = _guarded("incremental", incremental.measure, sb, wd, config, catalog,
                                                  contacts, kept["state"], full_requests)
    except Exception as e:  # set-up (spec, discover, sandbox) failed: say so for each run of the group
        for name in ("full_sync", "incremental"):
            if name in selected and name not in results:
                results[name] = {"error": f"{e}" if isinstance(e, BenchError) else f"{type(e).__name__}: {e}"}


def sandbox_speed(seconds: float) -> dict:
    script = os.path.join(HERE, "sandbox_speed.py")
    if not os.path.exists(script):
        raise BenchError("bench/sandbox_speed.py is missing")
    out = subprocess.run([sys.executable, script, "--seconds", str(seconds)], capture_output=True, text=True,
                         timeout=seconds + 300)
    m = re.search(r"([\d,]+) req/s", out.stdout)
    if not m:
        raise BenchError(f"bench/sandbox_speed.py printed no rate (exit {out.returncode}): "
                         f"{(out.stdout + out.stderr)[-800:]}")
    route = re.search(r"^(GET \S+):", out.stdout, re.M)
    return {"requests_per_s": int(m.group(1).replace(",", "")), "route": route.group(1) if route else None,
            "seconds": seconds, "output": out.stdout.strip().splitlines()}


def run_selected(selected: set, sizes: dict, serial: bool) -> dict:
    results: dict = {}
    rate_bound = []
    if selected & {"full_sync", "incremental"}:
        rate_bound.append(lambda: sync_group(selected, sizes["sync"], results))
    if "destination" in selected:
        rate_bound.append(lambda: results.__setitem__("destination",
                                                      _guarded("destination", destination.run, sizes["dest"])))
    if serial:
        for fn in rate_bound:
            fn()
    else:
        threads = [threading.Thread(target=fn) for fn in rate_bound]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if "sandbox_speed" in selected:
        results["sandbox_speed"] = _guarded("sandbox_speed", sandbox_speed, sizes["speed_s"])
    if "cpu" in selected:
        results["cpu"] = _guarded("cpu", cpu.run, sizes["cpu"])
    if "memory" in selected:
        results["memory"] = _guarded("memory", memory.run, sizes["memory"])
    if "agency" in selected:  # alone: one process then holds many locations' threads, its CPU is a figure
        results["agency"] = _guarded("agency", agency.run, *sizes["agency"])
    return results


# -- results file and table ----------------------------------------------------------------------------------

@contextlib.contextmanager
def _locked(path: str):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def save(path: str, mode: str, new_runs: dict, command: str) -> dict:
    with _locked(path):
        old = {}
        if os.path.exists(path):
            with open(path) as f:
                old = json.load(f)
        runs = {**(old.get("runs", {}) if old.get("mode") == mode else {}), **new_runs}
        doc = {"mode": mode, "command": command,
               "updated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform(terse=True)},
               "limits": {"burst": GHL_BURST, "window_s": GHL_WINDOW_S, **{k: v for k, v in AT_GHL_LIMITS.items()
                                                                           if k.endswith("_ms")}},
               "runs": {k: runs[k] for k in RUNS if k in runs}}
        doc["targets"] = [dict(t, run=k) for k in RUNS if k in doc["runs"] for t in doc["runs"][k].get("targets", [])]
        with open(path + ".tmp", "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(path + ".tmp", path)
    os.remove(path + ".lock") if os.path.exists(path + ".lock") else None
    return doc


def _n(v, digits: int = 0) -> str:
    return "-" if v is None else f"{v:,.{digits}f}"


def _rows(runs: dict) -> list[tuple[str, str]]:
    rows = []

    def add(name: str, label: str, fn):
        r = runs.get(name)
        if r is None:
            return
        rows.append((label(r) if callable(label) else label, "FAILED: " + r["error"] if "error" in r else fn(r)))

    add("full_sync", lambda r: f"1 full sync ({_n(r.get('contacts'))} contacts)", lambda r: (
        f"{_n(r['wall_s'], 1)} s | {_n(r['requests'])} requests | floor {_n(r['floor_s'], 1)} s | "
        f"time/floor {r['time_over_floor']} | {r['rate_limited_429']} x 429 | "
        f"records {sum(r['records'].values()):,} | {r.get('requests_per_contact', '?')} requests/contact, "
        f"{_n(r.get('contacts_per_daily_quota'))} contacts per day's quota (200,000)"))
    add("incremental", lambda r: f"2 incremental ({_n(r.get('changed_contacts'))} changed)", lambda r: (
        f"no change: {r['no_change']['requests']} requests, {_n(r['no_change']['wall_s'], 1)} s | after 1 %: "
        f"{r['after_changes']['requests']} requests, {_n(r['after_changes']['wall_s'], 1)} s, floor "
        f"{_n(r['after_changes']['floor_s'], 1)} s, time/floor {r['after_changes']['time_over_floor']}, "
        f"{r['after_changes']['rate_limited_429']} x 429 | {r['requests_vs_full']:.2%} of the full sync's "
        f"{r['full_sync_requests']:,} requests | same changes, {r['smaller_account']['contacts']:,} contacts: "
        f"{r['smaller_account']['after_changes']} requests"))
    add("cpu", lambda r: f"3 CPU ({_n(r.get('contacts'))} contacts)", lambda r: (
        f"source {_n(r['source']['records_per_s'])} rec/s, {r['source']['cpu_s_per_1k']} CPU s/1k | plain loop "
        f"{_n(r['plain_loop']['records_per_s'])} rec/s, {r['plain_loop']['cpu_s_per_1k']} CPU s/1k | ratio "
        f"{r['ratio_records_per_s']} | net of start-up (source {r['startup_source']['wall_s']} s, "
        f"{r['startup_source']['cpu_s']} CPU s) | {r.get('custom_field_columns', '?')} custom-field columns filled"))
    add("memory", "4 memory (peak RSS)", lambda r: (
        f"{_n(r['small']['contacts'])}: {r['small']['max_rss_mb']} MB | {_n(r['large']['contacts'])}: "
        f"{r['large']['max_rss_mb']} MB | growth x{r['growth']} | start-up alone {r['startup_max_rss_mb']} MB"))
    def write_figures(r: dict) -> str:
        return (f"{_n(r['wall_s'], 1)} s | {_n(r['requests'])} requests for {_n(r['records_total'])} records "
                f"({r['requests_per_record']}/record) | floor {_n(r['floor_s'], 1)} s | time/floor "
                f"{r['time_over_floor']} | {r['rate_limited_429']} x 429")

    add("destination", lambda r: f"5 destination ({_n(r.get('contacts'))} contacts)", lambda r: (
        "Rankr ids: " + write_figures(r) + ("" if "primary_key" not in r else " || primary keys: " + (
            "FAILED " + r["primary_key"]["error"] if "error" in r["primary_key"] else write_figures(r["primary_key"])))))
    add("agency", lambda r: f"7 agency ({r.get('locations')} locations)", lambda r: " | ".join(
        [f"{name}: " + (f"FAILED {fig['error']}" if "error" in fig else
                        f"{_n(fig['wall_s'], 1)} s, busiest location's floor {_n(fig['floor_s'], 1)} s, time/floor "
                        f"{fig['time_over_floor']}, {fig['rate_limited_429']} x 429, peak {fig['max_peak_window']}/window, "
                        f"CPU {fig['cpu_s']} s" + (f", {fig['time_over_single_location']} x one location's "
                                                     f"{_n(fig['single_location_wall_s'], 1)} s"
                                                     if "time_over_single_location" in fig else ""))
         for name, fig in (("source", r["source"]), ("destination", r["destination"]))]
        + [f"fan-out, {label} (locations: time/floor, CPU share) " + ", ".join(
            f"{p['locations']}: " + ("FAILED" if "error" in p else f"{p['time_over_floor']}, {p['cpu_share']}")
            for p in r[key]["curve"]) + f"; knee {r[key]['knee_locations']}"
           for key, label in (("fan_out", "processes as the source chooses"), ("fan_out_one_process", "one process"))
           if key in r]))
    add("sandbox_speed", "sandbox serving rate", lambda r: f"{_n(r['requests_per_s'])} req/s ({r['route']}, "
                                                           f"no latency, no limit)")
    return rows


def table(doc: dict) -> str:
    rows = _rows(doc["runs"])
    w = max((len(a) for a, _ in rows), default=10)
    lines = [f"bench ({doc['mode']} sizes, {doc['updated_at']}, {doc['machine']['cpus']} CPUs)",
             f"{'run':<{w}}  figures", f"{'-' * w}  {'-' * 60}"]
    lines += [f"{a:<{w}}  {b}" for a, b in rows]
    if doc["targets"]:
        tw = max(len(t["target"]) for t in doc["targets"])
        lines += ["", f"{'target':<{tw}}  {'value':>10}  result", f"{'-' * tw}  {'-' * 10}  ------"]
        lines += [f"{t['target']:<{tw}}  {str(t['value']):>10}  {'met' if t['met'] else 'MISSED'}"
                  for t in doc["targets"]]
    failed = [k for k, r in doc["runs"].items() if "error" in r]
    if failed:
        lines += ["", f"runs that produced no figures: {', '.join(failed)}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes; results in bench/results/quick/")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(RUNS)}")
    ap.add_argument("--serial", action="store_true", help="run the rate-bound runs one after another")
    ap.add_argument("--table", action="store_true", help="print the last results and exit")
    a = ap.parse_args(argv)
    mode = "quick" if a.quick else "full"
    out_dir = os.path.join(HERE, "results", "quick") if a.quick else os.path.join(HERE, "results")
    path = os.path.join(out_dir, "latest.json")
    if a.table:
        with open(path) as f:
            print(table(json.load(f)))
        return 0
    selected = set(filter(None, (s.strip() for s in a.only.split(",")))) or set(RUNS)
    unknown = selected - set(RUNS)
    if unknown:
        ap.error(f"unknown run(s) {sorted(unknown)}; choose from {', '.join(RUNS)}")
    sizes = SIZES[mode]
    print(f"[bench] {mode} sizes: {sizes}; runs: {', '.join(r for r in RUNS if r in selected)}", flush=True)
    runs = run_selected(selected, sizes, a.serial)
    command = "python -m bench" + (" --quick" if a.quick else "") + (f" --only {a.only}" if a.only else "")
    doc = save(path, mode, runs, command)
    for p in plot.draw_all(doc["runs"], out_dir):
        print(f"[bench] plot: {os.path.relpath(p)}")
    print()
    print(table(doc))
    return 1 if any("error" in r for r in runs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
