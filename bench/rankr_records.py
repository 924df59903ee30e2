"""The Rankr export of run 5: the project's deterministic Rankr export generator (`demo.rankr_export`) at the
bench's size, contacts with their tasks and notes only, without the records that are invalid on purpose, and
each record checked against the destination's input schema (`schemas/rankr/`) before anything is timed.
"""
from __future__ import annotations

import tempfile

import jsonschema

from schemas import RANKR, load_schema, schema_names

from .harness import BenchError

# Incoming stream -> the Rankr schema of its records. Written in this order: contacts before their children.
STREAM_SCHEMAS = {"contacts": "contact", "tasks": "task", "notes": "note"}
SEED = 7


def schemas() -> dict:
    have = schema_names(RANKR)
    missing = [s for s in STREAM_SCHEMAS.values() if s not in have]
    if missing:
        raise BenchError(f"schemas/rankr/ has no {missing} schema yet (it has {have})")
    return {stream: load_schema(RANKR, name) for stream, name in STREAM_SCHEMAS.items()}


def export(contacts: int) -> list[tuple[str, dict]]:
    """(stream, record) pairs, every contact first, then the tasks, then the notes."""
    try:
        from demo import rankr_export
    except ImportError as e:
        raise BenchError(f"the Rankr export generator (demo/rankr_export.py) is not importable: {e}")
    validators = {s: jsonschema.Draft7Validator(schema) for s, schema in schemas().items()}
    with tempfile.TemporaryDirectory(prefix="ghl-bench-rankr-") as out:
        rankr_export.generate(out, seed=SEED, contacts=contacts)
        invalid = {(r["stream"], r["rankrId"]) for r in rankr_export.read_manifest(out)["invalid_on_purpose"]}
        records = [(stream, rec) for stream in STREAM_SCHEMAS for rec in rankr_export.iter_records(out, stream)
                   if (stream, rec.get("rankrId")) not in invalid]
    for stream, rec in records:
        err = jsonschema.exceptions.best_match(validators[stream].iter_errors(rec))
        if err is not None:
            raise BenchError(f"a generated {stream} record does not match schemas/rankr/{STREAM_SCHEMAS[stream]}"
                             f".json ({err.message}); demo/rankr_export.py and the schema disagree")
    return records
