"""Run 5, destination: a Rankr export (contacts with tasks and notes) written into an empty sandbox location
at GHL's limits: time against the floor, requests per record, 429s.
"""
from __future__ import annotations

import time

import orjson

from ghl_sandbox.process import SandboxProcess

from .full_sync import limit_targets
from .harness import (AT_GHL_LIMITS, DESTINATION, BenchError, Workdir, connector_config, executable,
                      floor_seconds, pacing, quiet_window, run_process, sandbox_summary)
from .rankr_records import export, schemas

STATE_EVERY = 500


def _catalog() -> dict:
    return {"streams": [{"stream": {"name": name, "json_schema": schema, "supported_sync_modes": ["full_refresh"]},
                         "sync_mode": "full_refresh", "destination_sync_mode": "append"}
                        for name, schema in schemas().items()]}


def _messages(records: list) -> list:
    """RECORD messages with a STATE after every STATE_EVERY records and at the end, as a source emits them."""
    out, emitted_at = [], int(time.time() * 1000)
    for i, (stream, data) in enumerate(records, 1):
        out.append({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": emitted_at}})
        if i % STATE_EVERY == 0 or i == len(records):
            out.append({"type": "STATE", "state": {"type": "STREAM", "stream": {
                "stream_descriptor": {"name": stream}, "stream_state": {"written": i}}}})
    return out


def run(contacts: int = 2000) -> dict:
    records = export(contacts)
    counts: dict = {}
    for stream, _ in records:
        counts[stream] = counts.get(stream, 0) + 1
    with SandboxProcess(seed=1, contacts=0, **AT_GHL_LIMITS) as sb, Workdir() as wd:
        input_path = wd.file("input.jsonl")
        with open(input_path, "wb") as f:
            f.writelines(orjson.dumps(m) + b"\n" for m in _messages(records))
        argv = [executable(DESTINATION), "write", "--config",
                wd.write_json("config.json", connector_config(sb, scope="readwrite")),
                "--catalog", wd.write_json("catalog.json", _catalog())]
        quiet_window(sb)
        proc = run_process(argv, stdin_path=input_path, timeout_s=3 * floor_seconds(3 * len(records)) + 300)
        stats = sb.stats()
        landed = {k: len(v) for k, v in sb.dump().items() if isinstance(v, list)}
    proc.check("destination-ghl-contacts write")
    if not proc.states:
        raise BenchError("destination-ghl-contacts wrote without echoing any STATE message")
    summary = sandbox_summary(stats)
    floor = floor_seconds(summary["requests"])
    ratio = proc.wall_s / floor if floor else None
    fig = {"contacts": contacts, "records_in": counts, "records_total": len(records), "landed": landed,
           "wall_s": round(proc.wall_s, 1), "requests": summary["requests"], "floor_s": round(floor, 1),
           "time_over_floor": round(ratio, 3) if ratio else None,
           "requests_per_record": round(summary["requests"] / len(records), 3),
           "rate_limited_429": summary["rate_limited_429"], "requests_by_route": summary["by_route"],
           "peak_requests_10s": summary["peak_requests_10s"], "states_echoed": len(proc.states),
           "cpu_s": round(proc.cpu_s, 2), "pacing": pacing(stats)}
    fig["targets"] = limit_targets("destination", fig)
    return fig
