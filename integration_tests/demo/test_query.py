"""`python -m demo.query`: full-width results, CSV export, and the hint that names the right warehouse."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from demo.query import DEFAULT_DB
from demo.summary import query_hint

duckdb = pytest.importorskip("duckdb", reason="DuckDB is in the demo extra: pip install -e '.[demo]'")

LONG_TEXT = "a note that is far wider than any terminal, " * 12
WIDE_COLUMNS = [f"column_with_a_long_name_{n:02d}" for n in range(30)]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("query") / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table notes (id varchar, body varchar, tags varchar[], meta struct(score int), "
                    "added timestamptz)")
        con.execute("insert into notes values ('n1', ?, ['a', 'b'], {'score': 7}, '2026-11-02 09:30:00+00'), "
                    "('n2', null, [], null, null)", [LONG_TEXT])
        con.execute(f"create table wide as select {', '.join(f'{n} as {c}' for n, c in enumerate(WIDE_COLUMNS))}")
    return db


def query(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "demo.query", *args], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])


def test_prints_every_column_and_whole_values(warehouse):
    shown = query("--db", str(warehouse), "select * from notes")
    assert shown.returncode == 0, shown.stderr
    assert LONG_TEXT.strip() in shown.stdout
    wide = query("--db", str(warehouse), "select * from wide")
    assert wide.returncode == 0, wide.stderr
    assert all(column in wide.stdout for column in WIDE_COLUMNS)


def test_csv_on_stdout_is_the_whole_result(warehouse):
    exported = query("--db", str(warehouse), "--csv", "select * from notes order by id")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.reader(io.StringIO(exported.stdout)))
    assert rows[0] == ["id", "body", "tags", "meta", "added"]
    assert rows[1][:2] == ["n1", LONG_TEXT]
    assert json.loads(rows[1][2]) == ["a", "b"] and json.loads(rows[1][3]) == {"score": 7}
    assert rows[1][4].startswith("2026-11-02")
    assert rows[2] == ["n2", "", "[]", "", ""]


def test_csv_of_a_wide_result(warehouse):
    exported = query("--db", str(warehouse), "select * from wide", "--csv")
    assert exported.returncode == 0, exported.stderr
    assert list(csv.reader(io.StringIO(exported.stdout))) == [WIDE_COLUMNS, [str(n) for n in range(30)]]


def test_a_bad_query_says_so(warehouse):
    failed = query("--db", str(warehouse), "select nope from notes")
    assert failed.returncode != 0 and "the query failed" in failed.stderr


def test_the_hint_names_the_warehouse_unless_it_is_the_demos():
    assert query_hint(str(DEFAULT_DB), "show tables") == '.venv/bin/python -m demo.query "show tables"'
    assert (query_hint("build/real/warehouse.duckdb", "show tables")
            == '.venv/bin/python -m demo.query --db build/real/warehouse.duckdb "show tables"')
