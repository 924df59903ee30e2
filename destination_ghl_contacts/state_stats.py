"""The counts Airbyte reads from each echoed STATE (protocol 0.18 `destinationStats`): `recordCount`, the
records that arrived since the previous STATE, and `rejectedRecordCount`, how many of them were rejected
(invalid, refused by GHL, identity conflicts, unusable lines). The platform shows rejected records per sync
from them.

The CDK's protocol models (0.17) have no `rejectedRecordCount`, so an echoed STATE is a `CountedState`: the
STATE as the source sent it, which `serialize` writes with its counts. Tests that call `write` in process see
plain STATE messages.
"""

import heapq
import threading
from dataclasses import dataclass
from typing import Any, Dict, List

from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer


@dataclass
class CountedState(AirbyteMessage):
    records: int = 0
    rejected: int = 0


def serialize(message: AirbyteMessage) -> Dict[str, Any]:
    payload = AirbyteMessageSerializer.dump(message)
    if isinstance(message, CountedState) and isinstance(payload.get("state"), dict):
        # doubles, as the protocol defines them
        payload["state"]["destinationStats"] = {"recordCount": float(message.records),
                                                "rejectedRecordCount": float(message.rejected)}
    return payload


class Windows:
    """Which records and rejections belong to which STATE: a STATE covers every record before it and after
    the previous one. A record rejected on arrival counts in the window it arrived in; a buffered one by its
    buffer seq (it may be written after later records arrived)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = 0
        self._rejected_on_arrival = 0
        self._rejected_seqs: List[int] = []  # a heap

    def arrived(self) -> None:
        with self._lock:
            self._arrived += 1

    def rejected(self, seq: int = 0) -> None:
        """seq 0: rejected on arrival (never buffered)."""
        with self._lock:
            if seq:
                heapq.heappush(self._rejected_seqs, seq)
            else:
                self._rejected_on_arrival += 1

    def close(self) -> "tuple[int, int]":
        """At a STATE's arrival: (records, rejected on arrival) since the previous STATE."""
        with self._lock:
            window = (self._arrived, self._rejected_on_arrival)
            self._arrived = self._rejected_on_arrival = 0
            return window

    def rejected_through(self, last_seq: int) -> int:
        """At a STATE's echo: buffered records up to `last_seq` rejected, not counted in an earlier STATE."""
        with self._lock:
            count = 0
            while self._rejected_seqs and self._rejected_seqs[0] <= last_seq:
                heapq.heappop(self._rejected_seqs)
                count += 1
            return count
