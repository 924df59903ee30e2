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
from typing import Any, Dict, List, Mapping, Tuple

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
    location's buffer seq (it may be written after later records arrived)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = 0
        self._rejected_on_arrival = 0
        self._rejected_seqs: Dict[str, List[int]] = {}  # location -> a heap of seqs

    def arrived(self) -> None:
        with self._lock:
            self._arrived += 1

    def rejected(self, seq: int = 0, location: str = "") -> None:
        """seq 0: rejected on arrival (never buffered)."""
        with self._lock:
            if seq:
                heapq.heappush(self._rejected_seqs.setdefault(location, []), seq)
            else:
                self._rejected_on_arrival += 1

    def close(self) -> Tuple[int, int]:
        """At a STATE's arrival: (records, rejected on arrival) since the previous STATE."""
        with self._lock:
            window = (self._arrived, self._rejected_on_arrival)
            self._arrived = self._rejected_on_arrival = 0
            return window

    def rejected_through(self, marks: Mapping[str, int]) -> int:
        """At a STATE's echo: buffered records up to each location's mark rejected, not counted in an earlier
        STATE."""
        with self._lock:
            count = 0
            for location, last_seq in marks.items():
                heap = self._rejected_seqs.get(location) or []
                while heap and heap[0] <= last_seq:
                    heapq.heappop(heap)
                    count += 1
            return count
