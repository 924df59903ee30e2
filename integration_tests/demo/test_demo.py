"""The demo end to end, smaller: `python -m demo` against its own sandbox, then DuckDB checked against GHL.

The demo saves GHL's ids per stream (from the sandbox's `/_sandbox/dump`) just before it stops the sandbox;
this test opens the DuckDB file itself and compares.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from demo import rankr_export
from demo.airbyte_feed import SCHEMA_OF_STREAM
from demo.pipeline import DESTINATION, SOURCE, executable

REPO = Path(__file__).resolve().parents[2]
STREAMS = ("contacts", "tasks", "notes", "appointments")


def test_shipped_export_is_what_the_generator_makes(tmp_path):
    fresh = rankr_export.generate(tmp_path / "export")
    for f in sorted(rankr_export.SHIPPED_DIR.iterdir()):
        assert (fresh / f.name).read_bytes() == f.read_bytes(), f"{f.name}: run `python -m demo.rankr_export`"


def test_export_follows_the_destination_schemas():
    """Every record is valid for schemas/rankr/ except the ones the export makes invalid on purpose."""
    schemas = pytest.importorskip("schemas")
    manifest = rankr_export.read_manifest(rankr_export.SHIPPED_DIR)
    invalid = {(i["stream"], i["rankrId"]) for i in manifest["invalid_on_purpose"]}
    assert len(invalid) >= 5
    for stream in rankr_export.STREAMS:
        try:
            schema = schemas.load_schema(schemas.RANKR, SCHEMA_OF_STREAM[stream])
        except FileNotFoundError:
            pytest.skip(f"schemas/rankr/{SCHEMA_OF_STREAM[stream]}.json is not there yet")
        validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
        for record in rankr_export.iter_records(rankr_export.SHIPPED_DIR, stream):
            valid = validator.is_valid(record)
            if (stream, record["rankrId"]) not in invalid:
                assert valid, (stream, record, [e.message for e in validator.iter_errors(record)])


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    missing = [n for n in (SOURCE, DESTINATION) if executable(n) is None]
    if missing:
        pytest.skip(f"not installed yet: {', '.join(missing)}")
    pytest.importorskip("airbyte", reason="PyAirbyte is the demo extra: pip install -e '.[demo]'")
    out = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, DEMO_CONTACTS="30", DEMO_SEED_CONTACTS="15", DEMO_OUT=str(out))
    proc = subprocess.run([sys.executable, "-m", "demo"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)
    return proc, out


def test_demo_exits_0_with_a_summary(demo_run):
    proc, out = demo_run
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "Demo summary" in proc.stdout
    assert (out / "warehouse.duckdb").exists()


def test_duckdb_holds_exactly_what_ghl_holds(demo_run):
    import duckdb

    _, out = demo_run
    ghl = json.loads((out / "ghl_ids.json").read_text())
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        for stream in STREAMS:
            ours = sorted(r[0] for r in con.execute(f"select id from {stream}").fetchall())
            assert len(ours) == len(set(ours)), f"{stream}: duplicate ids in DuckDB"
            assert ours == sorted(ghl[stream]), stream


def test_summary_accounts_for_every_record(demo_run):
    _, out = demo_run
    s = json.loads((out / "summary.json").read_text())
    manifest = rankr_export.read_manifest(out / "export")
    assert s["export_counts"] == manifest["counts"]
    for stream, n in manifest["counts"].items():
        assert s["written"][stream] == n, f"{stream}: the destination confirmed {s['written'][stream]} of {n}"
    rejected = sorted((r["stream"], r["key"]) for r in s["rejections"])
    assert rejected == sorted((i["stream"], i["rankrId"]) for i in manifest["invalid_on_purpose"])
    assert all(r["reason"] for r in s["rejections"])
    assert s["ghl_after_write"]["contacts"] > s["ghl_before"]["contacts"]
    assert sum(p["rate_limited"] or 0 for p in s["phases"]) == 0, "the connectors should pace under GHL's limit"
    full = s["full_read"]["contacts"]
    assert 0 < s["incremental_read"]["contacts"] < full, "the second read should be incremental"
    assert not s["mismatches"] and not s["problems"]


def test_deletions_in_ghl_reach_duckdb_as_deletion_records(demo_run):
    """The demo deletes contacts in GHL after the full read: only webhooks can tell the incremental read."""
    _, out = demo_run
    summary = json.loads((out / "summary.json").read_text())
    assert summary["changes"]["contacts deleted"] == 3
    assert summary["changes"]["notes added to unchanged contacts"] >= 1
    assert summary["tombstones"]["contacts"] == 3 and summary["deletions_applied"]["contacts"] == 3
    for stream in ("tasks", "notes"):  # deleted one by one: a deletion record each
        assert summary["tombstones"].get(stream, 0) == summary["changes"][f"{stream} deleted"] == 1
    assert summary["webhooks"]["dropped"] == 0 and summary["webhooks"]["delivered"] > 0
