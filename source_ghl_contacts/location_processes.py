"""An agency read spread over processes, when one process would be short of CPU.

The declarative read costs the CDK a few ms of CPU per request (docs/performance.md, run 7) and one Python
process runs that code on one core at a time: one process tops out near 140 requests per second, while GHL lets
each location move 10 per second. So a read of more locations than one process holds at GHL's pace is spread
over worker processes, at most one per usable core (`usable_cpus`: affinity and the container's CPU quota, which
is what Airbyte's `resourceRequirements` set on Kubernetes), each with `LOCATIONS_PER_PROCESS` or more locations.

- Workers are forked: they start at once, with the CDK imported and the run's location configs at hand.
- Each runs `location_threads.read_in_threads` over its share and sends what it yields to the parent, which
  merges it as it merges threads' (`agency_read`). Each worker has a pipe of its own: a worker that dies holds
  no lock the others need.
- The parent alone holds the company token: workers ask it for their location tokens, so the single-use
  company refresh token is spent, and its CONTROL message printed, by one process only. Tokens travel over
  the pipes, never to disk.
- A worker writes nothing to standard output: its log lines travel to the parent, which prints them.
- The progress counters behind the ESTIMATE messages and LOG lines travel too (`StreamProgress.absorb`).
- A worker that dies (killed, out of memory) fails its unfinished locations; the others go on.

`SOURCE_GHL_PROCESSES` overrides the number of processes (1: no workers), for whoever sizes a deployment.
"""

import io
import itertools
import logging
import math
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection, wait
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

import orjson
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import AirbyteLogMessage, AirbyteMessage, FailureType, Level, Type
from airbyte_cdk.models.airbyte_protocol_serializers import AirbyteMessageSerializer
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import messages, tenancy
from source_ghl_contacts.components.progress import PROGRESS
from source_ghl_contacts.location_threads import DONE, Job, ReadOne, read_in_threads

PROCESSES_ENV = "SOURCE_GHL_PROCESSES"
# What one process reads at GHL's pace with CPU to spare (docs/performance.md, run 7's fan-out curve).
LOCATIONS_PER_PROCESS = 8
PROGRESS_EVERY_SECONDS = 0.5
# A location token is one call to GHL; a worker that waits longer than this for one has lost its parent.
MINT_TIMEOUT_SECONDS = 300.0
_WAIT_SECONDS = 1.0
CGROUP_ROOT = "/sys/fs/cgroup"


# --- how many processes -------------------------------------------------------------------------------------

def _cgroup_cpu_quota(root: str) -> Optional[float]:
    """The CPUs the container may use (cgroup v2 `cpu.max`, else v1 CFS quota), or None without a limit."""
    try:
        quota, period = open(os.path.join(root, "cpu.max")).read().split()[:2]
        if quota != "max":
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        quota_us = int(open(os.path.join(root, "cpu", "cpu.cfs_quota_us")).read())
        period_us = int(open(os.path.join(root, "cpu", "cpu.cfs_period_us")).read())
        return quota_us / period_us if quota_us > 0 and period_us > 0 else None
    except (OSError, ValueError):
        return None


def usable_cpus(cgroup_root: str = CGROUP_ROOT) -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota(cgroup_root)
    if quota is not None:
        cpus = min(cpus, math.ceil(quota))
    return max(1, cpus)


def process_count(locations: int) -> int:
    """Processes for a read of `locations` locations: 1 means this process alone, with a thread per location."""
    override = os.environ.get(PROCESSES_ENV, "").strip()
    if override.isdigit() and int(override) > 0:
        return max(1, min(int(override), locations))
    if locations < 2 or sys.platform == "win32":
        return 1
    return max(1, min(usable_cpus(), math.ceil(locations / LOCATIONS_PER_PROCESS)))


# --- what crosses a pipe --------------------------------------------------------------------------------------
# worker -> parent: ("item", location_id, portable item) | ("progress", snapshot) | ("log", text)
#                   | ("mint", request id, location_id) | ("done",)
# parent -> worker: (request id, True, (token, expiry)) | (request id, False, (message, failure type))

def _portable(item: Any) -> Any:
    """A location's item in a form pickle keeps whole (the CDK's state blobs lose their fields in pickle)."""
    if isinstance(item, AirbyteMessage):
        return ("message", AirbyteMessageSerializer.dump(item))
    if isinstance(item, BaseException):
        return ("error",) + _error_parts(item)
    return item  # DONE


def _restored(item: Any) -> Any:
    if isinstance(item, tuple) and item[0] == "message":
        return AirbyteMessageSerializer.load(item[1])
    if isinstance(item, tuple) and item[0] == "error":
        _, message, internal, failure_type = item
        return AirbyteTracedException(message=message, internal_message=internal,
                                      failure_type=FailureType(failure_type))
    return DONE  # the one other item; unpickled, it is an equal string, not the same object


def _error_parts(error: BaseException) -> Tuple[str, str, str]:
    if isinstance(error, AirbyteTracedException):
        failure_type = error.failure_type or FailureType.system_error
        return (error.message or str(error), error.internal_message or "", failure_type.value)
    text = f"{type(error).__name__}: {error}"
    return (text, text, FailureType.system_error.value)


def _log_message(text: str) -> AirbyteMessage:
    """A worker's log line as the parent prints it: as it was formatted, or as a LOG message if it is not one."""
    try:
        message = AirbyteMessageSerializer.load(orjson.loads(text))
        if message.type == Type.LOG:
            return message
    except Exception:  # a line no Airbyte formatter wrote (a traceback, a stray print)
        pass
    return AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=Level.INFO, message=text))


# --- the worker side ------------------------------------------------------------------------------------------

class _Sender:
    """The worker's end of its pipe, shared by its threads."""

    def __init__(self, connection: Connection):
        self._connection = connection
        self._lock = threading.Lock()

    def __call__(self, message: tuple) -> None:
        with self._lock:
            self._connection.send(message)


class _LinesToParent(io.TextIOBase):
    """The worker's standard output and error and its log handlers' stream: complete lines go to the parent."""

    def __init__(self, send: _Sender):
        self._send = send
        self._partial = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            lines = (self._partial + text).split("\n")
            self._partial = lines.pop()
        for line in lines:
            if line.strip():
                self._send(("log", line))
        return len(text)


class ParentMint:
    """Stands in for the agency's `Company` in a worker: the parent mints each location token."""

    def __init__(self, send: _Sender, replies: Connection):
        self._send = send
        self._ids = itertools.count()
        self._pending: Dict[int, list] = {}  # request id -> [event, reply]
        self._lock = threading.Lock()
        threading.Thread(target=self._receive, args=(replies,), name="ghl-mint-replies", daemon=True).start()

    def mint_location_token(self, location_id: str) -> Tuple[str, float]:
        slot: list = [threading.Event(), None]
        with self._lock:
            request_id = next(self._ids)
            self._pending[request_id] = slot
        self._send(("mint", request_id, location_id))
        if not slot[0].wait(MINT_TIMEOUT_SECONDS) or slot[1] is None:
            raise AirbyteTracedException(message=messages.WORKER_NO_TOKEN.format(location_id=location_id),
                                         failure_type=FailureType.transient_error)
        ok, payload = slot[1]
        if ok:
            return str(payload[0]), float(payload[1])
        text, failure_type = payload
        raise AirbyteTracedException(message=text, internal_message=text, failure_type=FailureType(failure_type))

    def _receive(self, replies: Connection) -> None:
        while True:
            try:
                request_id, ok, payload = replies.recv()
            except (EOFError, OSError):  # the parent has gone: whoever waits times out
                return
            with self._lock:
                slot = self._pending.pop(request_id, None)
            if slot is not None:
                slot[1] = (ok, payload)
                slot[0].set()


def _become_worker(send: _Sender, replies: Connection, jobs: List[Job]) -> None:
    """What makes a forked copy of the parent a worker: its own output, its tokens from the parent."""
    PRINT_BUFFER.buffer = io.StringIO()  # the parent flushed before forking; nothing of it is printed twice
    os.dup2(2, 1)  # whatever still reaches file descriptor 1 cannot mix into the parent's Airbyte messages
    lines = _LinesToParent(send)
    sys.stdout = sys.stderr = lines
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(lines)
    mint = ParentMint(send, replies)
    for location_config, _ in jobs:
        tenancy.location_authenticator(location_config).company = mint


def _worker(connection: Connection, replies: Connection, jobs: List[Job], read_one: ReadOne) -> None:
    send = _Sender(connection)
    _become_worker(send, replies, jobs)
    next_progress = 0.0
    try:
        for location_id, item in read_in_threads(jobs, read_one):
            send(("item", location_id, _portable(item)))
            if time.monotonic() >= next_progress:
                send(("progress", PROGRESS.snapshot()))
                next_progress = time.monotonic() + PROGRESS_EVERY_SECONDS
    finally:
        send(("progress", PROGRESS.snapshot()))
        send(("done",))
        connection.close()


# --- the parent side ------------------------------------------------------------------------------------------

class _Worker:
    def __init__(self, index: int, jobs: List[Job], read_one: ReadOne, context: Any):
        self.index = index
        self.locations: Set[str] = {config["location_id"] for config, _ in jobs}  # not DONE yet
        self.finished = False
        self.connection, child_end = context.Pipe(duplex=False)
        reply_end, self.replies = context.Pipe(duplex=False)
        self.replies_lock = threading.Lock()
        self.process = context.Process(target=_worker, args=(child_end, reply_end, jobs, read_one),
                                       name=f"ghl-locations-{index}", daemon=True)
        self.process.start()
        # Only the worker may hold the write end: its exit then ends the parent's reading (EOF).
        child_end.close()
        reply_end.close()

    def reply(self, message: tuple) -> None:
        with self.replies_lock:
            try:
                self.replies.send(message)
            except OSError:  # the worker has gone
                pass


class _Minter:
    """Mints location tokens for the workers, off the loop that reads their messages."""

    def __init__(self, companies: Dict[str, Any]):
        self._companies = companies
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="ghl-mint")

    def submit(self, worker: _Worker, request_id: int, location_id: str) -> None:
        self._pool.submit(self._mint, worker, request_id, location_id)

    def _mint(self, worker: _Worker, request_id: int, location_id: str) -> None:
        try:
            token, expires_at = self._companies[location_id].mint_location_token(location_id)
            worker.reply((request_id, True, (token, expires_at)))
        except Exception as error:
            text, _, failure_type = _error_parts(error)
            worker.reply((request_id, False, (text, failure_type)))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def read_in_processes(jobs: List[Job], read_one: ReadOne, processes: int) -> Iterator[Tuple[str, Any]]:
    """`read_in_threads`, spread over `processes` forked workers: the same `(location_id, item)` stream, with
    the workers' log lines as `("", LOG message)`."""
    companies = {config["location_id"]: tenancy.location_authenticator(config).company for config, _ in jobs}
    shares = [share for share in (jobs[i::processes] for i in range(processes)) if share]
    context = multiprocessing.get_context("fork")
    sys.stdout.flush()
    workers: List[_Worker] = []
    minter = _Minter(companies)
    try:
        for index, share in enumerate(shares):
            workers.append(_Worker(index, share, read_one, context))
        yield from _drain(workers, minter)
    finally:
        minter.close()
        for worker in workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in workers:
            worker.process.join(timeout=10)
            worker.connection.close()
            worker.replies.close()


def _drain(workers: List[_Worker], minter: _Minter) -> Iterator[Tuple[str, Any]]:
    by_connection = {worker.connection: worker for worker in workers}
    while by_connection:
        for connection in wait(list(by_connection), timeout=_WAIT_SECONDS):
            worker = by_connection[connection]  # type: ignore[index]
            try:
                message = connection.recv()  # type: ignore[union-attr]
            except (EOFError, OSError):
                del by_connection[connection]  # type: ignore[arg-type]
                yield from _lost(worker)
                continue
            yield from _handle(worker, message, minter)


def _handle(worker: _Worker, message: tuple, minter: _Minter) -> Iterator[Tuple[str, Any]]:
    kind = message[0]
    if kind == "item":
        _, location_id, item = message
        if item == DONE:
            worker.locations.discard(location_id)
        yield location_id, _restored(item)
    elif kind == "log":
        yield "", _log_message(message[1])
    elif kind == "progress":
        PROGRESS.absorb(f"worker-{worker.index}", message[1])
    elif kind == "mint":
        _, request_id, location_id = message
        minter.submit(worker, request_id, location_id)
    elif kind == "done":
        worker.finished = True


def _lost(worker: _Worker) -> Iterator[Tuple[str, Any]]:
    """A worker's pipe has closed: the locations it had not finished fail, with the cause."""
    if not worker.locations:
        return
    worker.process.join(timeout=5)
    code = worker.process.exitcode
    text = messages.WORKER_STOPPED.format(code="unknown" if code is None else code)
    for location_id in sorted(worker.locations):
        yield location_id, AirbyteTracedException(message=text, internal_message=text,
                                                  failure_type=FailureType.system_error)
        yield location_id, DONE
    worker.locations.clear()
