"""`python -m demo.query "select ..."`: run SQL on the demo's DuckDB warehouse (no DuckDB CLI needed).

    python -m demo.query "show tables"
    python -m demo.query --db build/real/warehouse.duckdb "select count(*) from contacts"
    python -m demo.query --csv "select * from contacts" > contacts.csv

Results print at full width: every column, each value whole (pipe through `less -S` to scroll sideways).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import sys
import uuid
from pathlib import Path

DEFAULT_DB = Path(__file__).resolve().parent.parent / "build" / "demo" / "warehouse.duckdb"
FETCH_ROWS = 1000
UNLIMITED = 1 << 31


def csv_value(value):
    """One CSV cell: nested DuckDB values (STRUCT, LIST, MAP) as JSON, NULL as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def write_csv(relation, out) -> None:
    """The whole result with a header row, streamed in batches."""
    writer = csv.writer(out)
    writer.writerow(relation.columns)
    while batch := relation.fetchmany(FETCH_ROWS):
        writer.writerows([csv_value(v) for v in row] for row in batch)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m demo.query", description=__doc__.splitlines()[0])
    p.add_argument("sql", nargs="?", default="show tables")
    p.add_argument("--db", default=str(DEFAULT_DB), help="the DuckDB file (default: the demo's warehouse)")
    p.add_argument("--csv", action="store_true", help="print the whole result as CSV (header row first)")
    p.add_argument("--max-rows", type=int, default=50, help="rows to print (default 50; 0: all); not for --csv")
    a = p.parse_args(argv)
    if not Path(a.db).exists():
        raise SystemExit(f"{a.db} does not exist yet: run `make demo` first (or name another file with --db)")
    import duckdb

    with duckdb.connect(a.db, read_only=True) as con:
        try:
            relation = con.sql(a.sql)
        except duckdb.Error as error:
            raise SystemExit(f"the query failed: {error}") from None
        if relation is None:  # a statement without a result
            return 0
        if a.csv:
            write_csv(relation, sys.stdout)
        else:
            relation.show(max_rows=a.max_rows or UNLIMITED, max_width=UNLIMITED, max_col_width=UNLIMITED)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
