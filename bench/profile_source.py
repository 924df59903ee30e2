"""Where the source's CPU time goes on run 3's workload (contacts stream, sandbox with no latency and no
limit): samples every thread of `source-ghl-contacts read` with py-spy and prints a breakdown by package and
the hottest functions. Start-up (imports) is counted on its own line.

    python -m bench.profile_source [--contacts 50000] [--out bench/results/profile_source.txt]

Needs py-spy (`pip install py-spy`; it reads the process's memory, so it may need root or ptrace rights).
"""
from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys

from ghl_sandbox.process import SandboxProcess

from .harness import (SOURCE, UNLIMITED, BenchError, Workdir, configured_catalog, connector_config, discover,
                      executable, source_options, source_spec)

IMPORT_MARK = "_find_and_load"


def _parse(raw_path: str) -> list[tuple[list[str], int]]:
    stacks = []
    with open(raw_path) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            if stack:
                stacks.append((stack.split(";"), int(n)))
    return stacks


def _package(frame: str) -> str:
    """'func (airbyte_cdk/sources/x.py:12)' -> 'airbyte_cdk'; stdlib files -> their module ('json', ...)."""
    path = frame[frame.rfind("(") + 1:].split(":")[0]
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    head = path.split("/")[0]
    return head[:-3] if head.endswith(".py") else head or "?"


def report(stacks: list[tuple[list[str], int]], top: int = 25) -> str:
    total = sum(n for _, n in stacks) or 1
    startup = sum(n for s, n in stacks if any(IMPORT_MARK in f for f in s))
    by_pkg: collections.Counter = collections.Counter()
    self_t: collections.Counter = collections.Counter()
    incl: collections.Counter = collections.Counter()
    for frames, n in stacks:
        if any(IMPORT_MARK in f for f in frames):
            continue
        by_pkg[_package(frames[-1])] += n
        self_t[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    pct = lambda n: f"{100.0 * n / total:5.1f} %"  # noqa: E731
    lines = [f"samples: {total:,} (each ~{1000 / RATE:.0f} ms of one thread running)",
             f"start-up (imports): {pct(startup)}", "", "self time by package (after start-up):"]
    lines += [f"  {pct(n)}  {pkg}" for pkg, n in by_pkg.most_common(15)]
    lines += ["", f"hottest functions, self time (top {top}):"]
    lines += [f"  {pct(n)}  {f}" for f, n in self_t.most_common(top)]
    lines += ["", f"inclusive time, functions below 95 % of the samples (top {top}):"]
    lines += [f"  {pct(n)}  {f}" for f, n in incl.most_common() if n < 0.95 * total][:top]
    return "\n".join(lines)


RATE = 200  # samples per second


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile_source", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--contacts", type=int, default=50_000)
    ap.add_argument("--out", default=None, help="also write the report here")
    ap.add_argument("--raw", default=None, help="keep py-spy's raw (collapsed) stacks here")
    a = ap.parse_args(argv)
    py_spy = shutil.which("py-spy", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if not py_spy:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    spec_run = source_spec()
    with SandboxProcess(seed=1, contacts=a.contacts, **UNLIMITED) as sb, Workdir() as wd:
        config = connector_config(sb, **source_options(spec_run, unlimited=True))
        catalog = configured_catalog(discover(wd, config), ["contacts"], incremental=False)
        raw = a.raw or wd.file("profile.raw")
        argv_src = [executable(SOURCE), "read", "--config", wd.write_json("c.json", config),
                    "--catalog", wd.write_json("cat.json", catalog)]
        proc = subprocess.run([py_spy, "record", "--format", "raw", "-r", str(RATE), "--threads", "-o", raw,
                               "--", sys.executable, *argv_src], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=1800)
        if not os.path.exists(raw):
            raise BenchError(f"py-spy wrote no profile: {proc.stderr.decode('utf-8', 'replace')[-800:]}")
        text = f"source-ghl-contacts read, contacts stream, {a.contacts:,} contacts\n" + report(
            [(s[1:], n) for s, n in _parse(raw) if len(s) > 1])  # drop the thread frame
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
