"""Per-stream counters the components bump from worker threads; the source reports them as LOG messages."""

import threading
from collections import defaultdict
from typing import Dict, Optional


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

    def count(self, table: Dict[str, int], stream: str, amount: int = 1) -> None:
        with self._lock:
            table[stream] += amount

    def reset(self) -> None:
        with self._lock:
            self.pages.clear()
            self.rate_limited.clear()
            self.skipped_deleted.clear()
            self.extracted.clear()
            self._search_totals.clear()
            self.location_wide.clear()


PROGRESS = StreamProgress()
