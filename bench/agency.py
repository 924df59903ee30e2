"""Run 7, agency: one connector process serving many locations of one agency install at GHL's limits (100
requests per 10 s per app and location, 150 +- 50 ms latency).

GHL counts each location apart, so an agency sync is as fast as its busiest location: the floor is the
largest location's requests / 10 per s. Figures: time over that floor, 429s, each location's peak window, and
the connector's CPU. The fan-out curve repeats the source run at growing location counts; its knee (the most
locations one process on this machine holds at <= 1.10 x floor) sizes `location_shard` (docs/performance.md).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import time

import orjson

from ghl_sandbox import configs
from source_ghl_contacts import location_processes
from ghl_sandbox.process import SandboxProcess

from .harness import (AT_GHL_LIMITS, DESTINATION, GHL_BURST, BenchError, Workdir, configured_catalog, discover,
                      executable, floor_seconds, quiet_window, read_source, run_process)
from .rankr_records import export, schemas

STREAMS = ["contacts", "tasks", "notes", "appointments"]
SOURCE_TARGET = 1.15
KNEE_RATIO = 1.10


def agency_config(sb, **options) -> dict:
    return configs.agency_config(sb.credentials, requests_per_10_seconds=GHL_BURST, **options)


def per_location(stats: dict) -> dict:
    locations = stats.get("locations") or {}
    if not locations:
        raise BenchError("the sandbox's /_sandbox/stats has no per-location figures")
    requests = {loc: int(v["requests"]) for loc, v in locations.items()}
    return {"locations": len(locations), "requests_total": sum(requests.values()),
            "busiest_location_requests": max(requests.values()),
            "floor_s": round(floor_seconds(max(requests.values())), 1),
            "rate_limited_429": sum(int(v["429"]) for v in locations.values()),
            "max_peak_window": max(int(v["peak_window"]) for v in locations.values())}


def _figures(run, stats: dict) -> dict:
    fig = per_location(stats)
    fig["wall_s"] = round(run.wall_s, 1)
    fig["time_over_floor"] = round(run.wall_s / fig["floor_s"], 3) if fig["floor_s"] else None
    fig.update(_where_time_went(run, stats, fig["floor_s"]))
    fig["cpu_s"] = round(run.cpu_s, 2)
    fig["cpu_share"] = round(run.cpu_s / run.wall_s, 2) if run.wall_s else None
    fig["max_rss_mb"] = round(run.max_rss_mb, 1)
    fig["tree_pss_mb"] = round(run.tree_pss_mb, 1)
    fig["records"] = run.records
    return fig


def _where_time_went(run, stats: dict, floor_s: float) -> dict:
    """The wall time in three parts: until GHL's first answer (the process's start-up and its first request,
    an OAuth refresh with agency credentials), the busiest location's span from its first answer to its last
    (what the budget's pacing decides, over the same floor), and after GHL's last answer (the process's end)."""
    resources = list((stats.get("locations") or {}).values()) + list((stats.get("companies") or {}).values())
    firsts = [r["first_at"] for r in resources if r.get("first_at")]
    lasts = [r["last_at"] for r in resources if r.get("last_at")]
    if not firsts or not run.started_at:
        return {}
    busiest = max(stats["locations"].values(), key=lambda r: int(r["requests"]))
    span = busiest["last_at"] - busiest["first_at"]
    return {"until_first_answer_s": round(min(firsts) - run.started_at, 2),
            "busiest_location_span_s": round(span, 2),
            "busiest_span_over_floor": round(span / floor_s, 3) if floor_s else None,
            "after_last_answer_s": round(run.started_at + run.wall_s - max(lasts), 2)}


def source_run(locations: int, contacts: int, processes: str = "") -> dict:
    """One full read of every stream of every location, from no state. `processes`: the source's
    SOURCE_GHL_PROCESSES ("" lets it choose from the cores and the locations)."""
    env = {location_processes.PROCESSES_ENV: processes}
    with SandboxProcess(seed=1, contacts=contacts, locations=locations, **AT_GHL_LIMITS) as sb, Workdir() as wd:
        config = agency_config(sb)
        catalog = configured_catalog(discover(wd, dict(config, location_ids=sb.credentials["locations"][:1])), STREAMS)
        sb.reset()  # the discover spent the initial refresh token: start the timed read from a fresh install
        quiet_window(sb)
        run = read_source(wd, config, catalog, tag=f"agency-{locations}",
                          timeout_s=3 * floor_seconds(contacts * 4) + 300, env=env)
        stats = sb.stats()
    if run.records.get("contacts") != contacts * locations:
        raise BenchError(f"the agency read got {run.records.get('contacts', 0)} contacts of {contacts * locations}")
    with _environment(env):
        used = location_processes.process_count(locations)
    return {"contacts_per_location": contacts, "processes": used, **_figures(run, stats)}


@contextlib.contextmanager
def _environment(values: dict):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _spread(records: list, locations: list) -> list:
    """Each Rankr contact (and its children) in one location, by a hash of its Rankr id."""
    def home(rankr_id: str) -> str:
        return locations[int(hashlib.sha256(rankr_id.encode()).hexdigest(), 16) % len(locations)]

    out = []
    for stream, data in records:
        owner = data.get("rankrId") if stream == "contacts" else data.get("contactRankrId")
        out.append((stream, dict(data, locationId=home(str(owner)))))
    return out


def destination_run(locations: int, contacts: int) -> dict:
    """A Rankr export of `contacts` per location (with tasks and notes), spread over the locations."""
    with SandboxProcess(seed=1, contacts=0, locations=locations, **AT_GHL_LIMITS) as sb, Workdir() as wd:
        records = _spread(export(contacts * locations), sb.credentials["locations"])
        input_path = wd.file("input.jsonl")
        emitted_at = int(time.time() * 1000)
        with open(input_path, "wb") as f:
            for stream, data in records:
                f.write(orjson.dumps({"type": "RECORD", "record": {"stream": stream, "data": data,
                                                                   "emitted_at": emitted_at}}) + b"\n")
            f.write(orjson.dumps({"type": "STATE", "state": {"type": "STREAM", "stream": {
                "stream_descriptor": {"name": "contacts"}, "stream_state": {"written": len(records)}}}}) + b"\n")
        catalog = {"streams": [{"stream": {"name": n, "json_schema": s, "supported_sync_modes": ["full_refresh"]},
                                "sync_mode": "full_refresh", "destination_sync_mode": "append"}
                               for n, s in schemas().items()]}
        argv = [executable(DESTINATION), "write", "--config", wd.write_json("config.json", agency_config(sb)),
                "--catalog", wd.write_json("catalog.json", catalog)]
        quiet_window(sb)
        run = run_process(argv, stdin_path=input_path, timeout_s=3 * floor_seconds(2 * len(records)) + 300)
        stats = sb.stats()
    run.check("destination-ghl-contacts write (agency)")
    fig = _figures(run, stats)
    fig.update(contacts=contacts * locations, records_total=len(records),
               requests_per_record=round(fig["requests_total"] / len(records), 3))
    return fig


def fan_out(points: tuple, contacts: int, processes: str = "") -> dict:
    curve = []
    for locations in points:
        try:
            curve.append({"locations": locations, **source_run(locations, contacts, processes)})
        except BenchError as e:
            curve.append({"locations": locations, "error": str(e)})
    held = [p["locations"] for p in curve if p.get("time_over_floor") is not None
            and p["time_over_floor"] <= KNEE_RATIO and p.get("rate_limited_429") == 0]
    return {"contacts_per_location": contacts, "processes": processes or "auto", "curve": curve,
            "knee_locations": max(held) if held else None}


def _targets(source: dict, destination: dict) -> list:
    out = []
    # the targets: the destination "the same" as the source
    for name, fig, ratio in (("agency source", source, SOURCE_TARGET), ("agency destination", destination, SOURCE_TARGET)):
        if "error" in fig:
            continue
        out += [{"target": f"{name}: time <= {ratio:.2f} x busiest location's floor", "value": fig["time_over_floor"],
                 "met": fig["time_over_floor"] is not None and fig["time_over_floor"] <= ratio},
                {"target": f"{name}: zero 429s", "value": fig["rate_limited_429"], "met": fig["rate_limited_429"] == 0},
                {"target": f"{name}: every location's peak <= {GHL_BURST} per window", "value": fig["max_peak_window"],
                 "met": fig["max_peak_window"] <= GHL_BURST}]
    return out


def run(locations: int = 20, contacts: int = 100, points: tuple = (1, 5, 10, 20, 40), curve_contacts: int = 50) -> dict:
    source = _guard(source_run, locations, contacts)
    # One location of the same size: what a sync costs over its floor before any fan-out (start-up, the
    # location-wide reads' first requests one at a time, the window's margin)
    single = _guard(source_run, 1, contacts)
    if "error" not in source and "error" not in single:
        source["single_location_wall_s"] = single["wall_s"]
        source["single_location_time_over_floor"] = single["time_over_floor"]
        source["time_over_single_location"] = round(source["wall_s"] / single["wall_s"], 3)
    destination = _guard(destination_run, locations, contacts)
    curve = fan_out(points, curve_contacts)
    one_process = fan_out(points, curve_contacts, processes="1")  # what the worker processes add
    return {"locations": locations, "source": source, "destination": destination, "fan_out": curve,
            "fan_out_one_process": one_process, "targets": _targets(source, destination)}


def _guard(fn, *args) -> dict:
    try:
        return fn(*args)
    except BenchError as e:
        return {"error": str(e)}
