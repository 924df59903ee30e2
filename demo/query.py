"""`python -m demo.query "select ..."`: run SQL on the demo's DuckDB warehouse (no DuckDB CLI needed).

    python -m demo.query "show tables"
    python -m demo.query --db build/real/warehouse.duckdb "select count(*) from contacts"
"""
from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

DEFAULT_DB = Path(__file__).resolve().parent.parent / "build" / "demo" / "warehouse.duckdb"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m demo.query", description=__doc__.splitlines()[0])
    p.add_argument("sql", nargs="?", default="show tables")
    p.add_argument("--db", default=str(DEFAULT_DB))
    a = p.parse_args(argv)
    if not Path(a.db).exists():
        raise SystemExit(f"{a.db} does not exist yet: run `make demo` first")
    with duckdb.connect(a.db, read_only=True) as con:
        con.sql(a.sql).show(max_rows=50)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
