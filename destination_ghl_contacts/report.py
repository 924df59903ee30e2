"""What the user reads about a sync: each rejected record (stream, key, reason) and the counts per object.

Rejections are LOG messages at WARN level, not TRACE errors: a TRACE error marks the whole sync failed in
Airbyte, while a rejected record is a per-record outcome and the sync goes on. The summary is one INFO LOG
line per sync (and says "Dry run" when nothing was written).
"""

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from airbyte_cdk.models import AirbyteLogMessage, AirbyteMessage, Level, Type

from destination_ghl_contacts.spec import OBJECTS
from destination_ghl_contacts.state_stats import Windows

ACTIONS = ("created", "updated", "unchanged", "deleted", "rejected")
# What input that names no mapped stream (not JSON, a RECORD without a record) is counted as.
UNUSABLE_INPUT = "unusable input"


@dataclass(frozen=True)
class Outcome:
    action: str  # one of ACTIONS
    ghl_id: Optional[str] = None
    reason: str = ""

    @property
    def rejected(self) -> bool:
        return self.action == "rejected"


def created(ghl_id: Optional[str]) -> Outcome:
    return Outcome("created", ghl_id)


def updated(ghl_id: Optional[str]) -> Outcome:
    return Outcome("updated", ghl_id)


def unchanged(ghl_id: Optional[str]) -> Outcome:
    return Outcome("unchanged", ghl_id)


def deleted(ghl_id: Optional[str]) -> Outcome:
    return Outcome("deleted", ghl_id)


def rejected(reason: str) -> Outcome:
    return Outcome("rejected", None, reason)


def log(level: Level, text: str) -> AirbyteMessage:
    return AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=level, message=text))


class Report:
    """Thread-safe tally; `drain()` hands the pending LOG messages to the main loop, in order."""

    def __init__(self, dry_run: bool):
        self.dry_run = dry_run
        self.counts: Dict[str, Counter] = defaultdict(Counter)
        self.skipped_streams: Counter = Counter()
        self._pending: List[AirbyteMessage] = []
        self._lock = threading.Lock()
        self.windows = Windows()  # rejections per STATE (state_stats)
        self.sink: Optional[Any] = None  # a rejected_store.RejectedStore, with object_storage_config

    def record(self, obj: str, stream: str, key: str, outcome: Outcome, seq: int = 0, location: str = "") -> None:
        """`seq`: the record's seq in its `location`'s buffer; 0 for one rejected on arrival."""
        if outcome.rejected:
            self.windows.rejected(seq, location)
            if self.sink is not None and not self.dry_run:
                self.sink.add(stream, key, outcome.reason)
        with self._lock:
            self.counts[obj][outcome.action] += 1
            if outcome.rejected:
                verb = "Would reject" if self.dry_run else "Rejected"
                self._pending.append(log(Level.WARN, f"{verb} record: stream={stream} key={key} reason={outcome.reason}"))

    def note(self, level: Level, text: str) -> None:
        with self._lock:
            self._pending.append(log(level, text))

    def skip_stream(self, stream: str) -> None:
        with self._lock:
            if not self.skipped_streams[stream]:
                self._pending.append(log(Level.WARN, f"Stream '{stream}' is not mapped to a GHL object (config "
                                                     "'streams'); its records are skipped."))
            self.skipped_streams[stream] += 1

    def drain(self) -> List[AirbyteMessage]:
        with self._lock:
            out, self._pending = self._pending, []
        return out

    def summary(self) -> AirbyteMessage:
        parts = []
        for obj in OBJECTS:
            if obj in self.counts:
                c = self.counts[obj]
                parts.append(f"{obj}: " + " ".join(f"{a}={c[a]}" for a in ACTIONS if a != "deleted" or c[a]))
        if UNUSABLE_INPUT in self.counts:
            parts.append(f"{UNUSABLE_INPUT}: rejected={self.counts[UNUSABLE_INPUT]['rejected']}")
        body = "; ".join(parts) or "no records"
        if self.skipped_streams:
            body += "; skipped (unmapped streams): " + ", ".join(f"{s}={n}" for s, n in self.skipped_streams.items())
        title = "Dry run summary (nothing was written; counts say what would happen)" if self.dry_run else "Write summary"
        return log(Level.INFO, f"{title}: {body}")
