"""The Rankr export as Airbyte would hand it to a destination: a configured catalog and a message stream.

Airbyte runs a source that reads the export and pipes its RECORD and STATE messages into the destination's
stdin. This module plays that source: one stream per export file, contacts first, and a per-stream STATE
(the position in the file) every `STATE_EVERY` records and at the end of each stream.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterator

from schemas import RANKR, load_schema

from .rankr_export import STREAMS, iter_records

STATE_EVERY = 25
# export file (stream) -> the destination's input schema in schemas/rankr/
SCHEMA_OF_STREAM = {"contacts": "contact", "tasks": "task", "notes": "note", "appointments": "appointment",
                    "tags": "tag"}
PRIMARY_KEY = "rankrId"


def stream_schema(stream: str) -> dict:
    """The export's record schema: the destination's input schema, which the export follows."""
    try:
        return load_schema(RANKR, SCHEMA_OF_STREAM[stream])
    except FileNotFoundError:
        return {"type": "object", "additionalProperties": True}


def configured_catalog(streams=STREAMS) -> dict:
    """Every export stream, appended and deduplicated on the Rankr id."""
    entries = []
    for s in streams:
        entries.append({
            "stream": {"name": s, "json_schema": stream_schema(s),
                       "supported_sync_modes": ["full_refresh", "incremental"],
                       "source_defined_primary_key": [[PRIMARY_KEY]]},
            "sync_mode": "incremental", "cursor_field": [], "destination_sync_mode": "append_dedup",
            "primary_key": [[PRIMARY_KEY]]})
    return {"streams": entries}


def state_message(stream: str, position: int, last_id: str | None) -> dict:
    return {"type": "STATE", "state": {"type": "STREAM", "stream": {
        "stream_descriptor": {"name": stream}, "stream_state": {"position": position, "last_rankr_id": last_id}}}}


def messages(export_dir: Path | str, streams=STREAMS) -> Iterator[tuple[str, int, dict]]:
    """(stream, records of that stream so far, message) for every message, in the order Airbyte sends them."""
    for s in streams:
        n, last = 0, None
        for record in iter_records(export_dir, s):
            n += 1
            last = record.get(PRIMARY_KEY)
            yield s, n, {"type": "RECORD", "record": {"stream": s, "data": record,
                                                      "emitted_at": int(time.time() * 1000)}}
            if n % STATE_EVERY == 0:
                yield s, n, state_message(s, n, last)
        if n % STATE_EVERY:
            yield s, n, state_message(s, n, last)


def write_catalog(path: Path, streams=STREAMS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(configured_catalog(streams), indent=2))
    return path
