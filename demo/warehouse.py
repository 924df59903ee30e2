"""The local warehouse: a DuckDB file loaded by PyAirbyte, Airbyte's own local runner.

PyAirbyte runs `source-ghl-contacts` as a local executable (`spec`, `discover`, `read --state`), types the
columns from the source's JSON schemas, replaces tables on a full refresh, merges on the primary key on an
incremental read and keeps the source's STATE in the same DuckDB file, so the next read is incremental.
"""
from __future__ import annotations

import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

SCHEMA = "main"
DELETED_AT = "_ab_cdc_deleted_at"  # set on the source's deletion records (webhook_receiver)


def configure(log_dir: Path | str) -> None:
    """Call before the first read: PyAirbyte reads these once, at import."""
    os.environ["AIRBYTE_OFFLINE_MODE"] = "1"  # never fetch Airbyte's connector registry
    os.environ["DO_NOT_TRACK"] = "1"  # no telemetry
    os.environ["AIRBYTE_NO_UV"] = "1"
    os.environ.setdefault("AIRBYTE_LOGGING_ROOT", str(log_dir))


def _import_airbyte():
    """`import airbyte` (PyAirbyte, the `demo` extra); it takes a few seconds and warns about Python EOLs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            import airbyte
        except ImportError as e:  # pragma: no cover - set-up problem, shown to the user
            raise SystemExit("PyAirbyte is missing: run `make demo` (or `.venv/bin/pip install -e '.[demo]'`)") from e
    return airbyte


@dataclass
class ReadStats:
    """What one read landed: records per stream."""
    records: dict[str, int] = field(default_factory=dict)


class Warehouse:
    """One DuckDB file; `reset()` starts it afresh so repeated demo runs give the same result."""

    def __init__(self, db_path: Path | str):
        self.db_path = Path(db_path)
        self.cache_dir = self.db_path.parent / (self.db_path.stem + "_cache")

    def reset(self) -> None:
        for p in (self.db_path, Path(str(self.db_path) + ".wal")):
            p.unlink(missing_ok=True)
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)

    def _cache(self):
        ab = _import_airbyte()
        return ab.DuckDBCache(db_path=str(self.db_path), schema_name=SCHEMA, cache_dir=str(self.cache_dir))

    def source(self, executable: Path | str, config: dict,
               on_config_change: Callable[[dict], None] | None = None):
        """The GHL source as PyAirbyte runs it: a local executable, nothing fetched.

        PyAirbyte hands a CONTROL message's config to the callback but keeps running later commands (the
        `read` after its `discover`) with the config it was given: with single-use refresh tokens that one is
        spent. So the new config also becomes the source's own (docs/python.md has the same recipe)."""
        ab = _import_airbyte()
        src = None

        def changed(new_config: dict) -> None:
            if on_config_change:
                on_config_change(new_config)
            src.set_config(new_config, validate=False)

        src = ab.get_source("source-ghl-contacts", config=config, local_executable=str(executable),
                            config_change_callback=changed, install_if_missing=False)
        src.select_all_streams()
        return src

    def read(self, source, *, full_refresh: bool) -> ReadStats:
        """Full refresh replaces each table; incremental reads from the saved state and merges on `id`."""
        # closing the cache releases DuckDB's file lock, so the demo (and you) can open the file after
        with self._cache() as cache:
            result = source.read(cache=cache, force_full_refresh=full_refresh,
                                 write_strategy="replace" if full_refresh else "merge")
        # PyAirbyte keeps per-stream counts only on its progress tracker.
        tracker = getattr(result, "_progress_tracker", None)
        counts = dict(getattr(tracker, "stream_read_counts", {}) or {})
        return ReadStats({name: counts.get(name, 0) for name in source.get_selected_streams()})

    # -- looking at what landed -----------------------------------------------------------------------
    def connect(self):
        import duckdb
        return duckdb.connect(str(self.db_path))

    def tables(self) -> list[str]:
        with self.connect() as con:
            rows = con.execute("select table_name from information_schema.tables where table_schema = ? "
                               "and table_name not like '\\_airbyte%' escape '\\' order by 1", [SCHEMA]).fetchall()
        return [r[0] for r in rows]

    def counts(self) -> dict[str, int]:
        with self.connect() as con:
            return {t: con.execute(f'select count(*) from {SCHEMA}."{t}"').fetchone()[0] for t in self.tables()}

    def ids(self, table: str) -> list[str]:
        with self.connect() as con:
            return sorted(r[0] for r in con.execute(f'select id from {SCHEMA}."{table}"').fetchall())

    def tombstones(self) -> dict[str, list[str]]:
        """Ids of the deletion records (`_ab_cdc_deleted_at` set) the source delivered, per table."""
        out = {}
        with self.connect() as con:
            for t in self.tables():
                cols = {r[0] for r in con.execute("select column_name from information_schema.columns where "
                                                  "table_schema = ? and table_name = ?", [SCHEMA, t]).fetchall()}
                if DELETED_AT in cols:
                    out[t] = sorted(r[0] for r in con.execute(
                        f'select id from {SCHEMA}."{t}" where {DELETED_AT} is not null').fetchall())
        return out

    def apply_deletions(self) -> dict[str, int]:
        """What a warehouse model does with Airbyte's CDC deletion records: drop the deleted rows, and the
        tasks, notes and appointments of deleted contacts (GHL sends no event per child of a deleted contact)."""
        removed = {}
        stones = self.tombstones()
        with self.connect() as con:
            for t in [t for t in stones if t != "contacts"]:  # children first: they look the contacts up
                cols = {r[0] for r in con.execute("select column_name from information_schema.columns where "
                                                  "table_schema = ? and table_name = ?", [SCHEMA, t]).fetchall()}
                where = f"{DELETED_AT} is not null"
                if t != "contacts" and "contactid" in cols and "contacts" in stones:
                    where += (f' or contactid in (select id from {SCHEMA}."contacts" '
                              f"where {DELETED_AT} is not null)")
                removed[t] = con.execute(f'select count(*) from {SCHEMA}."{t}" where {where}').fetchone()[0]
                con.execute(f'delete from {SCHEMA}."{t}" where {where}')
            if "contacts" in stones:
                removed["contacts"] = con.execute(f'select count(*) from {SCHEMA}."contacts" '
                                                  f"where {DELETED_AT} is not null").fetchone()[0]
                con.execute(f'delete from {SCHEMA}."contacts" where {DELETED_AT} is not null')
        return removed

    def query_text(self, sql: str) -> str:
        """The query's result as DuckDB prints it."""
        with self.connect() as con:
            return str(con.sql(sql))
