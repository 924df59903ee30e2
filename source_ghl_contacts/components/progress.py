"""Per-stream counters the components bump from worker threads; the source reports them as LOG messages."""

import threading
from collections import defaultdict
from typing import Any, Dict, Mapping, Optional

_TABLES = ("pages", "rate_limited", "skipped_deleted", "extracted")


class StreamProgress:
    """Pages (successful GHL responses) and 429 waits per stream. Records are counted by the source itself."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pages: Dict[str, int] = defaultdict(int)
        self.rate_limited: Dict[str, int] = defaultdict(int)
        self.skipped_deleted: Dict[str, int] = defaultdict(int)
        # Records taken from GHL's answers (before the main thread emits them), for the row estimates.
        self.extracted: Dict[str, int] = defaultdict(int)
        # The contacts a search matches (GHL's `total`, the same on every page of one search), per location:
        # the largest seen there, as the contacts search of the contacts stream and those of the child streams'
        # parents may differ by their cursors. An agency read adds up its locations.
        self._search_totals: Dict[str, int] = {}
        # An agency read spread over processes (`location_processes`): each worker's last counters.
        self._absorbed: Dict[str, Dict[str, Any]] = {}
        # Bumped whenever a search total changes: the estimates follow at once (`estimates.with_estimates`).
        self.totals_version = 0
        # Child streams read location-wide (location_wide.py): their requests are pages, not contacts.
        self.location_wide: set = set()

    @property
    def search_total(self) -> Optional[int]:
        with self._lock:
            return sum(self._search_totals.values()) if self._search_totals else None

    def note_search_total(self, total: object, location: str = "") -> None:
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            with self._lock:
                if total > self._search_totals.get(location, -1):
                    self._search_totals[location] = total
                    self.totals_version += 1

    def count(self, table: Dict[str, int], stream: str, amount: int = 1) -> None:
        with self._lock:
            table[stream] += amount

    def snapshot(self) -> Dict[str, Any]:
        """The counters as plain data, for a worker to send to its parent."""
        with self._lock:
            tables = {name: dict(getattr(self, name)) for name in _TABLES}
            return {**tables, "search_totals": dict(self._search_totals), "location_wide": sorted(self.location_wide)}

    def absorb(self, source: str, snapshot: Mapping[str, Any]) -> None:
        """Take `source`'s latest counters (a worker of this process). The counters are then the sum of every
        source's: a process either reads itself or has workers read, never both."""
        with self._lock:
            self._absorbed[source] = dict(snapshot)
            for name in _TABLES:
                table = getattr(self, name)
                table.clear()
                for absorbed in self._absorbed.values():
                    for stream, amount in absorbed.get(name, {}).items():
                        table[stream] += amount
            totals = {location: total for absorbed in self._absorbed.values()
                      for location, total in absorbed.get("search_totals", {}).items()}
            if totals != self._search_totals:
                self._search_totals = totals
                self.totals_version += 1
            self.location_wide = {stream for absorbed in self._absorbed.values()
                                  for stream in absorbed.get("location_wide", ())}

    def reset(self) -> None:
        with self._lock:
            self.pages.clear()
            self.rate_limited.clear()
            self.skipped_deleted.clear()
            self.extracted.clear()
            self._search_totals.clear()
            self._absorbed.clear()
            self.location_wide.clear()


PROGRESS = StreamProgress()
