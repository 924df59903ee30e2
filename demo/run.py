"""`python -m demo`: Rankr export -> destination-ghl-contacts -> GHL -> source-ghl-contacts -> DuckDB.

By default everything runs against a seeded `ghl_sandbox` on a free loopback port, started and stopped here.
With `--real` the same connectors run against the GHL location in `secrets/source.json` and
`secrets/destination.json` (see docs/demo.md).

Sizes for quicker runs (tests): `--contacts N` (or DEMO_CONTACTS) generates an export of N contacts instead of
the shipped one; `--seed-contacts N` (DEMO_SEED_CONTACTS) is how many contacts GHL holds before the write.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import requests

from . import connector_config, pipeline, rankr_export, warehouse, webhooks
from .progress import Steps, console
from .summary import Report, as_phase, render

REPO = Path(__file__).resolve().parent.parent
GHL_STREAMS = ("contacts", "tasks", "notes", "appointments")
# Activity simulated in GHL between the full and the incremental read (ghl_sandbox's /_sandbox/mutate):
# contacts changed and added (with their tasks and notes). The source's default children_mode reads the
# children of exactly those contacts; deletes and children added without touching their contact are not
# visible to an incremental read (see docs/demo.md).
CHANGES = {"update": 12, "add": 6}
# Then, seen only through GHL's webhooks (ghl-webhooks and the source's webhook_receiver): contacts deleted,
# and notes added to contacts that do not change otherwise.
WEBHOOK_CHANGES = {"delete": 3, "add_notes": 3}
MARKER = ".demo-output"  # marks a folder the demo made, and so may replace
QUERY = ("select c.email, count(*) as open_tasks from contacts c join tasks t on t.contactid = c.id "
         "where not t.completed group by 1 order by 2 desc, 1 limit 5")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.environ.get("DEMO_OUT"), help="output folder (default build/demo)")
    p.add_argument("--contacts", type=int, default=_env_int("DEMO_CONTACTS"),
                   help="generate an export of N contacts instead of the shipped sample")
    p.add_argument("--seed-contacts", type=int, default=_env_int("DEMO_SEED_CONTACTS") or 40,
                   help="contacts the sandbox holds before the write (default 40)")
    p.add_argument("--seed", type=int, default=1, help="sandbox seed")
    p.add_argument("--real", action="store_true", help="run against real GHL with secrets/*.json")
    p.add_argument("--export", help="the Rankr export to write (default: the shipped sample; with --real, "
                                    "nothing is written unless given)")
    p.add_argument("--full-refresh", action="store_true", help="with --real: read everything again")
    p.add_argument("--secrets", default=str(connector_config.SECRETS),
                   help="with --real: the folder holding source.json and destination.json (default secrets/)")
    return p.parse_args(argv)


def _env_int(name: str) -> int | None:
    v = os.environ.get(name)
    return int(v) if v else None


def _start_afresh(out: Path, chosen: bool) -> None:
    """Every sandbox run replaces its output folder: build/demo, or a chosen one the demo made before."""
    if chosen and out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"{out} is not empty and was not made by the demo; choose another --out")
    shutil.rmtree(out, ignore_errors=True)


def connectors() -> dict[str, Path | None]:
    return {name: pipeline.executable(name) for name in (pipeline.SOURCE, pipeline.DESTINATION)}


def prepare_export(a, out: Path) -> Path:
    if a.export:
        return Path(a.export).resolve()
    if a.contacts:
        return rankr_export.generate(out / "export", contacts=a.contacts)
    return rankr_export.SHIPPED_DIR


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    out = Path(a.out or REPO / "build" / ("real" if a.real else "demo")).resolve()
    if not a.real:
        _start_afresh(out, chosen=bool(a.out))
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).touch()
    warehouse.configure(out / "logs")
    exes = connectors()
    missing = [n for n, p in exes.items() if p is None]
    if missing:
        console.print(f"[red]Not installed: {', '.join(missing)}.[/] Run `make demo` (it installs the project "
                      "into .venv), or `.venv/bin/pip install -e '.\\[demo]'`.")
        return 2
    if a.real:
        return run_real(a, out, exes)
    return run_sandbox(a, out, exes)


class RateWindow:
    """Each step starts on a clear rate-limit window, as scheduled Airbyte syncs (minutes apart) do, so the
    429s a step reports are its own connector's and not the tail of the step before."""

    SECONDS = 10.0  # GHL's window: 100 requests per 10 seconds

    def __init__(self, steps: Steps):
        self.steps = steps
        self.last_call = time.monotonic()

    def used(self) -> None:
        self.last_call = time.monotonic()

    def wait(self) -> None:
        left = self.SECONDS - (time.monotonic() - self.last_call)
        if left > 0.5:
            self.steps.note(f"waiting {left:.0f} s for GHL's 10-second rate-limit window to clear")
            time.sleep(left)


def run_sandbox(a, out: Path, exes: dict) -> int:
    from ghl_sandbox.process import SandboxProcess

    t0 = time.monotonic()
    steps = Steps(7)
    report = Report()
    steps.start("Rankr export")
    export_dir = prepare_export(a, out)
    report.export_dir = _show(export_dir)
    report.export_counts = rankr_export.read_manifest(export_dir)["counts"]
    steps.note(", ".join(f"{n} {s}" for s, n in report.export_counts.items()) + f"  ({report.export_dir})")

    steps.start("Starting ghl_sandbox (seeded, GHL's rate limit of 100 requests per 10 s)")
    with SandboxProcess(seed=a.seed, contacts=a.seed_contacts) as sb, \
            webhooks.Receiver(sb, out / "webhooks") as receiver:
        configs = connector_config.for_sandbox(sb, out / "config")
        _with_receiver(configs.source, receiver)
        report.where = configs.where
        report.ghl_before = _ghl_counts(sb)
        steps.note(f"{sb.base_url}, location {sb.location_id}: " +
                   ", ".join(f"{n} {s}" for s, n in report.ghl_before.items()))

        window = RateWindow(steps)  # for_sandbox() just asked GHL for the calendars

        steps.start("Writing the export into GHL: destination-ghl-contacts write")
        window.wait()
        sb.reset_stats()
        t = time.monotonic()
        written = pipeline.write_export(exes[pipeline.DESTINATION], configs.destination, export_dir, out)
        window.used()
        report.phases.append(as_phase("write (destination)", time.monotonic() - t, sb.stats()))
        _record_write(report, written)
        report.ghl_after_write = _ghl_counts(sb)
        if not written.ok:
            report.problems += written.errors
            return _finish(report, out, t0, None)

        wh = warehouse.Warehouse(out / "warehouse.duckdb")
        wh.reset()
        receiver.deliver()  # GHL's webhooks from here on (docs/webhooks.md)
        steps.start("Reading GHL into DuckDB: source-ghl-contacts read (full refresh)")
        window.wait()
        if not _read(report, wh, exes, configs, sb, full_refresh=True, name="full read (source)"):
            return _finish(report, out, t0, wh)
        window.used()

        steps.start("Changing GHL, then reading again: source-ghl-contacts read (incremental)")
        changed = sb.mutate(seed=a.seed, **CHANGES)
        report.changes = {"contacts updated": len(changed["updated"]), "contacts added": len(changed["added"])}
        deleted = _change_unseen_by_polling(sb, a.seed, changed)
        report.changes.update(deleted)
        steps.note("changed in GHL: " + ", ".join(f"{v} {k}" for k, v in report.changes.items()))
        report.webhooks = receiver.settle()
        steps.note(f"GHL webhook events delivered to ghl-webhooks: {report.webhooks['delivered']} "
                   f"(dropped: {report.webhooks['dropped']})")
        window.wait()
        if not _read(report, wh, exes, configs, sb, full_refresh=False, name="incremental read (source)"):
            return _finish(report, out, t0, wh)

        steps.start("Deletion records in DuckDB (_ab_cdc_deleted_at), applied as a warehouse model would")
        report.tombstones = {t: len(ids) for t, ids in wh.tombstones().items() if ids}
        steps.note("deletion records read: " + (", ".join(f"{n} {t}" for t, n in report.tombstones.items())
                                                  or "none"))
        report.deletions_applied = wh.apply_deletions()
        steps.note("rows removed: " + ", ".join(f"{n} {t}" for t, n in report.deletions_applied.items() if n))

        steps.start("Comparing DuckDB with GHL, stopping the sandbox")
        dump = sb.dump()
        # GHL's ids at the end, kept so anyone (the demo's test too) can check the warehouse independently
        (out / "ghl_ids.json").write_text(json.dumps({s: sorted(r["id"] for r in dump[s]) for s in GHL_STREAMS}))
        _reconcile(report, wh, dump)
    return _finish(report, out, t0, wh)


def _with_receiver(source_config: Path, receiver) -> None:
    """The source reads deletions and child changes from the demo's receiver (webhook_receiver)."""
    cfg = json.loads(source_config.read_text())
    cfg["webhook_receiver"] = receiver.source_setting()
    source_config.write_text(json.dumps(cfg, indent=2))


def _change_unseen_by_polling(sb, seed: int, changed: dict) -> dict:
    """Deletes and new notes on unchanged contacts: what an incremental read sees only through webhooks."""
    touched = set(changed["updated"]) | set(changed["added"])
    quiet = [c["id"] for c in sb.dump()["contacts"] if c["id"] not in touched]
    done = sb.mutate(seed=seed + 1, delete=WEBHOOK_CHANGES["delete"])
    gone = set(done["deleted"])
    quiet = [c for c in quiet if c not in gone]
    notes = [sb.mutate(seed=seed + 2 + i, add_notes=1, contactId=cid)["notes"]
             for i, cid in enumerate(quiet[:WEBHOOK_CHANGES["add_notes"]])]
    # one task and one note deleted through GHL's API, on contacts that do not change otherwise
    dump = sb.dump()
    children = {"tasks": 0, "notes": 0}
    for stream in children:
        victim = next((r for r in dump[stream] if r["contactId"] in quiet[WEBHOOK_CHANGES["add_notes"]:]), None)
        if victim is not None:
            r = requests.delete(f"{sb.base_url}/contacts/{victim['contactId']}/{stream}/{victim['id']}",
                                headers=sb.headers(), timeout=30)
            children[stream] += r.ok
    return {"contacts deleted": len(gone), "tasks deleted": children["tasks"], "notes deleted": children["notes"],
            "notes added to unchanged contacts": sum(map(len, notes))}


def run_real(a, out: Path, exes: dict) -> int:
    t0 = time.monotonic()
    configs = connector_config.for_real(Path(a.secrets))
    steps = Steps(4)
    report = Report(where=configs.where)
    steps.start("Checking both connectors against GHL")
    for name, cfg in ((pipeline.SOURCE, configs.source), (pipeline.DESTINATION, configs.destination)):
        res = pipeline.check(exes[name], cfg, connector_config.persist_rotated(cfg))
        steps.note(f"{name} check: {'OK' if res.ok else 'FAILED'} {res.message}")
        if not res.ok:
            report.problems.append(f"{name} check failed: {res.message}")
    if report.problems:
        return _finish(report, out, t0, None)

    steps.start("Writing the Rankr export into GHL")
    if a.export:
        export_dir = Path(a.export).resolve()
        report.export_dir = _show(export_dir)
        report.export_counts = rankr_export.read_manifest(export_dir)["counts"]
        t = time.monotonic()
        written = pipeline.write_export(exes[pipeline.DESTINATION], configs.destination, export_dir, out,
                                        connector_config.persist_rotated(configs.destination))
        report.phases.append(as_phase("write (destination)", time.monotonic() - t, None))
        _record_write(report, written)
        report.problems += written.errors
    else:
        steps.note("skipped: pass --export DIR (make sync-real EXPORT=DIR) to write a Rankr export")

    wh = warehouse.Warehouse(out / "warehouse.duckdb")
    full = a.full_refresh or not wh.db_path.exists()
    if full:
        wh.reset()
    steps.start(f"Reading GHL into DuckDB: source-ghl-contacts read ({'full refresh' if full else 'incremental'})")
    _read(report, wh, exes, configs, None, full_refresh=full,
          name=f"{'full' if full else 'incremental'} read (source)")
    steps.start("Done")
    return _finish(report, out, t0, wh)


def _read(report: Report, wh, exes, configs, sb, *, full_refresh: bool, name: str) -> bool:
    if sb:
        sb.reset_stats()
    t = time.monotonic()
    try:
        src = wh.source(exes[pipeline.SOURCE], configs.load("source"),
                        connector_config.persist_rotated(configs.source))
        stats = wh.read(src, full_refresh=full_refresh)
    except Exception as e:  # PyAirbyte wraps the connector's failure; show it and stop
        report.problems.append(f"{name} failed: {_one_line(e)}")
        return False
    finally:
        report.phases.append(as_phase(name, time.monotonic() - t, sb.stats() if sb else None))
    (report.full_read if full_refresh else report.incremental_read).update(stats.records)
    return True


def _record_write(report: Report, written: pipeline.WriteResult) -> None:
    report.written = dict(written.confirmed)
    report.rejections = list(written.rejections)
    report.outcomes = dict(written.outcomes)
    report.destination_summary = list(written.summary_lines)
    for s in report.export_counts:
        report.rejected[s] = sum(1 for r in written.rejections if r["stream"] == s)


def _ghl_counts(sb) -> dict:
    dump = sb.dump()
    return {s: len(dump[s]) for s in GHL_STREAMS}


def _reconcile(report: Report, wh, dump: dict) -> None:
    """Every stream's ids in DuckDB equal GHL's own (the sandbox's ground truth)."""
    report.ghl_final = {s: len(dump[s]) for s in GHL_STREAMS}
    tables = set(wh.tables())
    for s in GHL_STREAMS:
        ghl = {r["id"] for r in dump[s]}
        ours = set(wh.ids(s)) if s in tables else set()
        if ghl != ours:
            report.mismatches[s] = {"missing": sorted(ghl - ours), "extra": sorted(ours - ghl)}


def _finish(report: Report, out: Path, t0: float, wh) -> int:
    report.duration = time.monotonic() - t0
    if wh is not None and wh.db_path.exists():
        report.warehouse = wh.counts()
        report.db_path = _show(wh.db_path)
        report.query = QUERY
        try:
            report.query_result = wh.query_text(QUERY)
        except Exception as e:  # the query names columns the source emits; say so rather than hide it
            report.problems.append(f"the sample query failed: {_one_line(e)}")
    render(report)
    report.to_json(out / "summary.json")
    return 0 if report.ok else 1


def _show(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:600]


if __name__ == "__main__":
    sys.exit(main())
