"""What every run shares: GHL's limits, connector configs and catalogs, and running a connector process
with its exact CPU time and peak RSS (from `os.wait4`, so only that process is counted, not the sandbox).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import orjson

# GHL's limits (per app and location): 100 requests per 10 s, 200,000 a day.
GHL_BURST = 100
GHL_WINDOW_S = 10.0
GHL_RATE = GHL_BURST / GHL_WINDOW_S  # requests per second, the floor's divisor
GHL_LATENCY = {"latency_ms": 150, "jitter_ms": 50}
AT_GHL_LIMITS = {"rate_limit_burst": GHL_BURST, "rate_limit_window_seconds": GHL_WINDOW_S, **GHL_LATENCY}
# No 429s, and rate-limit headers that never run low (the sandbox still sends them, and a client that paces
# itself on x-ratelimit-remaining would otherwise wait): what the CPU and memory runs need.
UNLIMITED = {"no_rate_limit": True, "rate_limit_burst": 100_000_000, "rate_limit_daily": 1_000_000_000}

SOURCE = "source-ghl-contacts"
DESTINATION = "destination-ghl-contacts"


class BenchError(RuntimeError):
    """A run could not produce a figure; the message says what is missing."""


def executable(name: str) -> str:
    """The console script of a connector, next to this interpreter (the project's venv) or on PATH."""
    local = os.path.join(os.path.dirname(sys.executable), name)
    found = local if os.access(local, os.X_OK) else shutil.which(name)
    if not found:
        raise BenchError(f"'{name}' is not installed in this environment; run `make venv` "
                         f"(or `pip install -e .`) once the connector exists")
    return found


def floor_seconds(requests: int) -> float:
    """The fastest any client may make `requests` calls within GHL's limit."""
    return requests / GHL_RATE


def connector_config(sb, *, scope: str = "readonly", **options) -> dict:
    creds = sb.credentials
    return {"credentials": {"auth_type": "private_integration_token",
                            "token": creds["private_integration_tokens"][scope]},
            "location_id": creds["location_id"], "api_base_url": creds["base_url"],
            "requests_per_10_seconds": GHL_BURST, **options}


def api_requests(stats: dict) -> int:
    """Requests to the GHL routes (the sandbox does not count its own admin routes)."""
    return int(stats["requests_total"])


@dataclass
class ProcessRun:
    """One connector process: wall time, its own CPU seconds and peak RSS, and what it printed."""
    argv: list
    returncode: int = 0
    started_at: float = 0.0  # epoch seconds, to place the sandbox's answer times within the run
    wall_s: float = 0.0
    cpu_user_s: float = 0.0
    cpu_sys_s: float = 0.0
    max_rss_mb: float = 0.0
    # The peak memory of the process and its descendants together (proportional set size: pages forked
    # workers share with their parent count once), what a container's memory limit sees.
    tree_pss_mb: float = 0.0
    records: dict = field(default_factory=dict)  # stream -> count
    states: list = field(default_factory=list)  # STATE messages, in order
    errors: list = field(default_factory=list)  # TRACE error messages and ERROR/FATAL logs
    replies: dict = field(default_factory=dict)  # SPEC / CATALOG / CONNECTION_STATUS payloads
    stdout_tail: list = field(default_factory=list)  # non-protocol lines
    stderr_tail: str = ""
    first_record_s: float | None = None
    last_record_s: float | None = None

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_sys_s

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    def check(self, what: str) -> "ProcessRun":
        if self.returncode != 0 or self.errors:
            detail = "; ".join(self.errors[:3]) or self.stderr_tail[-800:] or "\n".join(self.stdout_tail[-5:])
            raise BenchError(f"{what} failed (exit {self.returncode}): {detail}")
        return self


_REPLIES = {"SPEC": "spec", "CATALOG": "catalog", "CONNECTION_STATUS": "connectionStatus"}


def _pump_messages(stream, run: ProcessRun, t0: float) -> None:
    for line in stream:
        if not line.startswith(b"{"):
            run.stdout_tail = (run.stdout_tail + [line.decode("utf-8", "replace").rstrip()])[-20:]
            continue
        msg = orjson.loads(line)
        kind = msg.get("type")
        if kind is None:
            run.replies["OUTPUT"] = msg
        elif kind == "RECORD":
            s = msg["record"]["stream"]
            run.records[s] = run.records.get(s, 0) + 1
            now = time.monotonic() - t0
            if run.first_record_s is None:
                run.first_record_s = now
            run.last_record_s = now
        elif kind in _REPLIES:
            run.replies[kind] = msg[_REPLIES[kind]]
        elif kind == "STATE":
            run.states.append(msg["state"])
        elif kind == "TRACE" and msg["trace"].get("type") == "ERROR":
            err = msg["trace"].get("error", {})
            run.errors.append(err.get("message") or err.get("internal_message") or "error")
        elif kind == "LOG" and msg["log"].get("level") in ("ERROR", "FATAL"):
            run.errors.append(msg["log"].get("message", "")[:500])


def _tree(pid: int) -> list:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo += [int(child) for child in f.read().split()]
        except OSError:
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _sample_memory(pid: int, run: ProcessRun, done: threading.Event, every_s: float = 0.25) -> None:
    # not Popen.poll(): it could reap the process before `os.wait4` reads its rusage
    while not done.wait(every_s):
        total_kib = sum(_pss_kib(member) for member in _tree(pid))
        run.tree_pss_mb = max(run.tree_pss_mb, total_kib / 1024.0)


def run_process(argv: list, *, stdin_path: str | None = None, timeout_s: float = 600.0,
                env: dict | None = None) -> ProcessRun:
    """Run `argv` to completion (killed after `timeout_s`), reading Airbyte messages from its stdout."""
    run = ProcessRun(argv=list(argv))
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    t0 = time.monotonic()
    run.started_at = time.time()
    proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=err,
                            env={**os.environ, **(env or {})})
    reader = threading.Thread(target=_pump_messages, args=(proc.stdout, run, t0), daemon=True)
    reader.start()
    exited = threading.Event()
    threading.Thread(target=_sample_memory, args=(proc.pid, run, exited), daemon=True).start()
    timer = threading.Timer(timeout_s, proc.kill)
    timer.start()
    try:
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would also count earlier children).
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        exited.set()
        timer.cancel()
        if stdin_path:
            stdin.close()
    run.wall_s = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join(timeout=30)
    run.returncode = proc.returncode
    run.cpu_user_s, run.cpu_sys_s = usage.ru_utime, usage.ru_stime
    run.max_rss_mb = usage.ru_maxrss / 1024.0  # KiB on Linux
    err.seek(0)
    run.stderr_tail = err.read()[-4000:].decode("utf-8", "replace")
    err.close()
    if run.returncode == -9 and run.wall_s >= timeout_s:
        run.errors.append(f"killed after the bench's {timeout_s:.0f}s time bound")
    return run


class Workdir:
    """A temporary folder for configs, catalogs and record files."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="ghl-bench-")

    def write_json(self, name: str, data) -> str:
        p = os.path.join(self.path, name)
        with open(p, "wb") as f:
            f.write(orjson.dumps(data))
        return p

    def file(self, name: str) -> str:
        return os.path.join(self.path, name)

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> "Workdir":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def source_spec() -> ProcessRun:
    """`spec`: the cost of starting the source (interpreter, imports) without any request or record."""
    return run_process([executable(SOURCE), "spec"], timeout_s=120).check("source-ghl-contacts spec")


def spec_properties(spec_run: ProcessRun) -> dict:
    return spec_run.replies.get("SPEC", {}).get("connectionSpecification", {}).get("properties", {})


def source_options(spec_run: ProcessRun, *, unlimited: bool = False, page_size: int = 500) -> dict:
    """Config options the source's spec offers: the largest page, and no self-pacing when the sandbox has no
    limit (as high as the spec allows)."""
    props = spec_properties(spec_run)
    out = {}
    if "page_size" in props:
        out["page_size"] = min(page_size, props["page_size"].get("maximum", page_size))
    if unlimited and "requests_per_10_seconds" in props:
        out["requests_per_10_seconds"] = props["requests_per_10_seconds"].get("maximum", 1_000_000)
    return out


def discover(wd: Workdir, config: dict) -> dict:
    run = run_process([executable(SOURCE), "discover", "--config", wd.write_json("discover-config.json", config)],
                      timeout_s=180).check("source-ghl-contacts discover")
    if "CATALOG" not in run.replies:
        raise BenchError("source-ghl-contacts discover printed no CATALOG message")
    return run.replies["CATALOG"]


def configured_catalog(catalog: dict, streams: list[str], incremental: bool = True) -> dict:
    """Select `streams` from a discovered catalog, incremental where the stream supports it."""
    by_name = {s["name"]: s for s in catalog["streams"]}
    missing = [n for n in streams if n not in by_name]
    if missing:
        raise BenchError(f"the source does not offer stream(s) {missing}; it offers {sorted(by_name)}")
    out = []
    for name in streams:
        s = by_name[name]
        modes = s.get("supported_sync_modes") or ["full_refresh"]
        mode = "incremental" if incremental and "incremental" in modes else "full_refresh"
        entry = {"stream": s, "sync_mode": mode, "destination_sync_mode": "append"}
        if mode == "incremental" and s.get("default_cursor_field"):
            entry["cursor_field"] = s["default_cursor_field"]
        if s.get("source_defined_primary_key"):
            entry["primary_key"] = s["source_defined_primary_key"]
        out.append(entry)
    return {"streams": out}


def final_state(states: list) -> list:
    """The state to pass to the next read: the last STATE message per stream (or the last global one)."""
    latest: dict = {}
    for st in states:
        kind = st.get("type", "LEGACY")
        if kind == "STREAM":
            d = st["stream"]["stream_descriptor"]
            latest[(d.get("namespace"), d["name"])] = st
        else:
            latest[kind] = st
    return list(latest.values())


def read_source(wd: Workdir, config: dict, catalog: dict, *, state: list | None = None, tag: str = "read",
                timeout_s: float = 900.0, env: dict | None = None) -> ProcessRun:
    argv = [executable(SOURCE), "read", "--config", wd.write_json(f"{tag}-config.json", config),
            "--catalog", wd.write_json(f"{tag}-catalog.json", catalog)]
    if state is not None:
        argv += ["--state", wd.write_json(f"{tag}-state.json", state)]
    return run_process(argv, timeout_s=timeout_s, env=env).check(f"source-ghl-contacts read ({tag})")


def quiet_window(sb) -> None:
    """Let requests made while preparing (discover, warm-up) leave GHL's window before a timed run."""
    if not sb.knobs.get("no_rate_limit") and api_requests(sb.stats()):
        time.sleep(GHL_WINDOW_S + 0.5)
    sb.reset_stats()


def sandbox_summary(stats: dict) -> dict:
    return {"requests": api_requests(stats), "rate_limited_429": int(stats["rate_limited"]),
            "by_status": stats["by_status"], "by_route": {k: sum(v.values()) for k, v in stats["by_route"].items()},
            "peak_requests_10s": stats["peak_requests_10s"]}


def pacing(stats: dict) -> list:
    """per_second as [seconds since the first request, count], for the plot."""
    ps = stats.get("per_second") or []
    if not ps:
        return []
    t0 = ps[0][0]
    return [[s - t0, n] for s, n in ps]


def dumps(data) -> str:
    return json.dumps(data, indent=1, sort_keys=False)
