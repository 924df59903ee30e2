"""Run 5, destination: one export (contacts with tasks and notes) written into an empty sandbox location at
GHL's limits, in two variants measured in the same run, each against its own sandbox (its own limit), at
the same time: time against the floor, requests per record, 429s.

- `rankr`: the Rankr export as Rankr sends it: records keyed by `rankrId`, children referring to their
  contact by `contactRankrId`.
- `primary_key`: the same records as an ordinary Airbyte source sends them: no Rankr id anywhere, the source's
  id in `id` (an integer), each configured stream declaring `primary_key: [["id"]]`, children referring to
  their contact by `contactEmail` (what a source knows of a contact; a GHL `contactId` it cannot know before
  the contact is written).
"""
from __future__ import annotations

import re
import threading
import time

import orjson

from ghl_sandbox.process import SandboxProcess

from .full_sync import limit_targets
from .harness import (AT_GHL_LIMITS, DESTINATION, BenchError, Workdir, connector_config, executable,
                      floor_seconds, pacing, quiet_window, run_process, sandbox_summary)
from .rankr_records import export, schemas

STATE_EVERY = 500
TARGET_REQUESTS_PER_RECORD = 1.8
VARIANTS = ("rankr", "primary_key")
SOURCE_ID = "id"


def _catalog(primary_key: bool) -> dict:
    streams = []
    for name, schema in schemas().items():
        entry = {"stream": {"name": name, "json_schema": _schema(schema) if primary_key else schema,
                            "supported_sync_modes": ["full_refresh"]},
                 "sync_mode": "full_refresh", "destination_sync_mode": "append"}
        if primary_key:
            entry["primary_key"] = [[SOURCE_ID]]
        streams.append(entry)
    return {"streams": streams}


def _schema(schema: dict) -> dict:
    """The stream's schema as a source declares it: its own `id` instead of the Rankr ids."""
    props = {k: v for k, v in schema.get("properties", {}).items() if k not in ("rankrId", "contactRankrId")}
    return {**schema, "properties": {SOURCE_ID: {"type": "integer"}, **props},
            "required": [f for f in schema.get("required", []) if f not in ("rankrId", "contactRankrId")]}


def _source_id(rankr_id: str) -> int:
    return int(re.sub(r"\D", "", rankr_id))


def as_primary_keyed(records: list) -> list:
    """The export without Rankr ids: `rankrId` becomes the source's integer `id`, `contactRankrId` the
    contact's email (`contactEmail`)."""
    email_of = {rec["rankrId"]: rec["email"] for stream, rec in records if stream == "contacts"}
    out = []
    for stream, rec in records:
        data = {k: v for k, v in rec.items() if k not in ("rankrId", "contactRankrId")}
        data[SOURCE_ID] = _source_id(rec["rankrId"])
        if "contactRankrId" in rec:
            data["contactEmail"] = email_of[rec["contactRankrId"]]
        out.append((stream, data))
    if any("rk_" in orjson.dumps(d).decode() for _, d in out):
        raise BenchError("the primary-key variant still carries a Rankr id")
    return out


def _messages(records: list) -> list:
    """RECORD messages with a STATE after every STATE_EVERY records and at the end, as a source emits them."""
    out, emitted_at = [], int(time.time() * 1000)
    for i, (stream, data) in enumerate(records, 1):
        out.append({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": emitted_at}})
        if i % STATE_EVERY == 0 or i == len(records):
            out.append({"type": "STATE", "state": {"type": "STREAM", "stream": {
                "stream_descriptor": {"name": stream}, "stream_state": {"written": i}}}})
    return out


def measure(records: list, catalog: dict, label: str) -> dict:
    """One write of `records` into an empty location of its own sandbox."""
    counts: dict = {}
    for stream, _ in records:
        counts[stream] = counts.get(stream, 0) + 1
    with SandboxProcess(seed=1, contacts=0, **AT_GHL_LIMITS) as sb, Workdir() as wd:
        input_path = wd.file("input.jsonl")
        with open(input_path, "wb") as f:
            f.writelines(orjson.dumps(m) + b"\n" for m in _messages(records))
        argv = [executable(DESTINATION), "write", "--config",
                wd.write_json("config.json", connector_config(sb, scope="readwrite")),
                "--catalog", wd.write_json("catalog.json", catalog)]
        quiet_window(sb)
        proc = run_process(argv, stdin_path=input_path, timeout_s=3 * floor_seconds(3 * len(records)) + 300)
        stats = sb.stats()
        landed = {k: len(v) for k, v in sb.dump().items() if isinstance(v, list)}
    proc.check(f"destination-ghl-contacts write ({label})")
    if not proc.states:
        raise BenchError(f"destination-ghl-contacts wrote without echoing any STATE message ({label})")
    summary = sandbox_summary(stats)
    floor = floor_seconds(summary["requests"])
    ratio = proc.wall_s / floor if floor else None
    return {"records_in": counts, "records_total": len(records), "landed": landed,
            "wall_s": round(proc.wall_s, 1), "requests": summary["requests"], "floor_s": round(floor, 1),
            "time_over_floor": round(ratio, 3) if ratio else None,
            "requests_per_record": round(summary["requests"] / len(records), 3),
            "rate_limited_429": summary["rate_limited_429"], "requests_by_route": summary["by_route"],
            "peak_requests_10s": summary["peak_requests_10s"], "states_echoed": len(proc.states),
            "cpu_s": round(proc.cpu_s, 2), "pacing": pacing(stats)}


def _targets(name: str, fig: dict) -> list:
    per_record = fig["requests_per_record"]
    return limit_targets(name, fig) + [{"target": f"{name}: requests per record <= {TARGET_REQUESTS_PER_RECORD}",
                                        "value": per_record, "met": per_record <= TARGET_REQUESTS_PER_RECORD}]


def run(contacts: int = 2000) -> dict:
    """Both variants at once (each bound by its own sandbox's limit). The Rankr variant's figures stay at the
    top level (the table and the plot read them there); the primary-key variant's are under `primary_key`."""
    rankr = export(contacts)
    inputs = {"rankr": (rankr, _catalog(False)), "primary_key": (as_primary_keyed(rankr), _catalog(True))}
    figs: dict = {}

    def one(label: str) -> None:
        try:
            figs[label] = measure(*inputs[label], label)
        except BenchError as e:
            figs[label] = {"error": str(e)}
        except Exception as e:  # the other variant's figures still count
            figs[label] = {"error": f"{type(e).__name__}: {e}"}

    threads = [threading.Thread(target=one, args=(label,)) for label in VARIANTS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if "error" in figs["rankr"]:
        raise BenchError(f"rankr variant: {figs['rankr']['error']}")
    fig = {"contacts": contacts, "variant": "rankr", **figs["rankr"], "primary_key": figs["primary_key"]}
    fig["targets"] = _targets("destination", fig)
    if "error" in figs["primary_key"]:
        fig["targets"].append({"target": "destination (primary key): produced figures",
                               "value": figs["primary_key"]["error"][:60], "met": False})
    else:
        fig["targets"] += _targets("destination (primary key)", figs["primary_key"])
    return fig
