"""The demo's closing report: what was written, rejected and read back, what it cost, where the data is.

`Report` gathers facts as the run goes; `render()` prints them as tables, and `to_json()` keeps them in the
output folder for scripts and tests.
"""
from __future__ import annotations

import json
import shlex
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from .progress import console
from .query import DEFAULT_DB

READ_STREAMS = ("contacts", "tasks", "notes", "appointments", "custom_fields")


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    requests: int | None = None  # None: not measurable (real GHL)
    rate_limited: int | None = None
    peak_10s: int | None = None


@dataclass
class Report:
    where: str = ""
    export_dir: str = ""
    export_counts: dict = field(default_factory=dict)
    written: dict = field(default_factory=dict)  # stream -> records the destination confirmed
    rejected: dict = field(default_factory=dict)  # stream -> count
    rejections: list = field(default_factory=list)  # {"stream", "key", "reason"}, as the destination said
    outcomes: dict = field(default_factory=dict)  # object -> {"created": n, "updated": n, ...} (its summary)
    destination_summary: list = field(default_factory=list)
    ghl_before: dict = field(default_factory=dict)  # stream -> records in GHL before the write
    ghl_after_write: dict = field(default_factory=dict)
    full_read: dict = field(default_factory=dict)
    incremental_read: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)  # what was changed in GHL between the reads
    webhooks: dict = field(default_factory=dict)  # the sandbox's webhook counters (delivered, dropped, ...)
    tombstones: dict = field(default_factory=dict)  # table -> deletion records the incremental read landed
    deletions_applied: dict = field(default_factory=dict)  # table -> rows removed for them
    warehouse: dict = field(default_factory=dict)  # table -> rows
    ghl_final: dict = field(default_factory=dict)  # stream -> records in GHL at the end
    mismatches: dict = field(default_factory=dict)  # stream -> {"missing": [...], "extra": [...]}
    phases: list = field(default_factory=list)
    duration: float = 0.0
    db_path: str = ""
    query: str = ""
    query_result: str = ""
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.mismatches

    def to_json(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, default=str), encoding="utf-8")


def _n(v) -> str:
    return "-" if v is None else f"{v:,}" if isinstance(v, int) else str(v)


def _secs(s: float) -> str:
    return f"{int(s // 60)}m{s % 60:04.1f}s" if s >= 60 else f"{s:.1f}s"


def render(r: Report) -> None:
    console.rule("[bold]Demo summary")
    console.print(f"GHL: {r.where}")
    if r.export_counts:
        t = Table(title=f"Rankr export -> GHL  (destination-ghl-contacts write, from {r.export_dir})",
                  title_justify="left")
        for col in ("stream", "in export", "confirmed", "created", "updated", "unchanged", "rejected",
                    "in GHL before", "in GHL after"):
            t.add_column(col, justify="left" if col == "stream" else "right")
        for s, n in r.export_counts.items():
            o = r.outcomes.get(s, {})
            in_ghl = s != "tags"  # tags are added to contacts, not records of their own
            t.add_row(s, _n(n), _n(r.written.get(s)), _n(o.get("created")), _n(o.get("updated")),
                      _n(o.get("unchanged")), _n(r.rejected.get(s, 0)),
                      _n(r.ghl_before.get(s)) if in_ghl else "", _n(r.ghl_after_write.get(s)) if in_ghl else "")
        console.print(t)
        if r.rejections:
            console.print(f"Rejected records ({len(r.rejections)}), with the destination's reasons:")
            for rej in r.rejections:
                console.print(escape(f"  {rej['stream']:<13} {rej['key']:<12} {rej['reason']}"))
    if r.full_read or r.incremental_read:
        t = Table(title="GHL -> DuckDB  (source-ghl-contacts read, loaded by PyAirbyte)", title_justify="left")
        for col in ("stream", "full read", "incremental read", "rows in DuckDB", "in GHL", "match"):
            t.add_column(col, justify="left" if col == "stream" else "right")
        for s in READ_STREAMS:
            if s not in r.full_read and s not in r.warehouse:
                continue
            match = "" if s not in r.ghl_final else ("no" if s in r.mismatches else "yes")
            t.add_row(s, _n(r.full_read.get(s)), _n(r.incremental_read.get(s)), _n(r.warehouse.get(s)),
                      _n(r.ghl_final.get(s)), match)
        console.print(t)
        if r.changes:
            console.print("Changed in GHL between the two reads: " +
                          ", ".join(f"{v} {k}" for k, v in r.changes.items()))
        if r.tombstones:
            console.print("Deletion records (_ab_cdc_deleted_at) from GHL's webhooks: " +
                          ", ".join(f"{n} {t}" for t, n in r.tombstones.items()) + "; rows removed: " +
                          ", ".join(f"{n} {t}" for t, n in r.deletions_applied.items() if n))
        for s, m in r.mismatches.items():
            console.print(f"[red]{s}: {len(m['missing'])} in GHL but not in DuckDB, "
                          f"{len(m['extra'])} in DuckDB but not in GHL[/]")
    if r.phases:
        t = Table(title="Cost", title_justify="left")
        for col in ("step", "duration", "requests", "429s", "peak per 10 s"):
            t.add_column(col, justify="left" if col == "step" else "right")
        for p in r.phases:
            t.add_row(p.name, _secs(p.seconds), _n(p.requests), _n(p.rate_limited), _n(p.peak_10s))
        measured = [p for p in r.phases if p.requests is not None]
        if measured:
            t.add_row("total", _secs(r.duration), _n(sum(p.requests for p in measured)),
                      _n(sum(p.rate_limited or 0 for p in measured)), "")
        console.print(t)
    console.print(f"Duration: {_secs(r.duration)}")
    if r.db_path:
        console.print(f"\nDuckDB warehouse: [bold]{r.db_path}[/]")
        console.print(escape(f'Try:  {query_hint(r.db_path, r.query)}'))
        if r.query_result:
            console.print(escape(r.query_result))
    for p in r.problems:
        console.print(f"[red]Problem:[/] {escape(p)}")


def as_phase(name: str, seconds: float, stats: dict | None) -> Phase:
    if stats is None:
        return Phase(name, seconds)
    return Phase(name, seconds, stats.get("requests_total", 0),
                 stats.get("rate_limited", stats.get("by_status", {}).get("429", 0)),
                 stats.get("peak_requests_10s"))


def query_hint(db_path: str, sql: str) -> str:
    """The command that queries this run's warehouse: `--db` names it unless it is the demo's default one."""
    db = "" if Path(db_path).resolve() == DEFAULT_DB else f" --db {shlex.quote(db_path)}"
    return f'.venv/bin/python -m demo.query{db} "{sql}"'
