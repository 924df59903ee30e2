"""Per-stream counters the components bump from worker threads; the source reports them as LOG messages."""

import threading
from collections import defaultdict
from typing import Dict


class StreamProgress:
    """Pages (successful GHL responses) and 429 waits per stream. Records are counted by the source itself."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pages: Dict[str, int] = defaultdict(int)
        self.rate_limited: Dict[str, int] = defaultdict(int)
        self.skipped_deleted: Dict[str, int] = defaultdict(int)

    def count(self, table: Dict[str, int], stream: str) -> None:
        with self._lock:
            table[stream] += 1

    def reset(self) -> None:
        with self._lock:
            self.pages.clear()
            self.rate_limited.clear()
            self.skipped_deleted.clear()


PROGRESS = StreamProgress()
