"""State after every page of an ascending cursor, not only at the end of the slice, at per-page cost.

The CDK's concurrent cursor saves state when a slice (partition) is done. The contacts stream reads one slice
(cursor minus lookback to now) page by page, sorted ascending on `dateUpdated`, so after each full page every
contact up to the page's last `dateUpdated` has been emitted: that value is a safe checkpoint. Resuming from
it re-reads at most one lookback window.

Because the records come in ascending order, the most recent cursor value of a partition is its last record's:
`observe` only remembers that record (no per-record hashing of the slice, no per-record date parsing, both
of which the CDK's `ConcurrentCursor.observe` does), and the value is parsed once per page and when the
partition closes.
"""

from typing import Any, Dict, List

from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

# Per partition, keyed by the identity of its slice object (every record of a partition carries the same one):
# [slice, records seen in the current page, last record seen]
_SLICE, _SEEN, _LAST = 0, 1, 2


class PageCheckpointingCursor(ConcurrentCursor):
    """A `ConcurrentCursor` for records sorted ascending on the cursor that also emits state every
    `page_size` records of a partition."""

    _page_size: int
    _open_partitions: Dict[int, List[Any]]

    def observe(self, record: Record) -> None:
        partition = record.associated_slice
        entry = self._open_partitions.get(id(partition))
        if entry is None or entry[_SLICE] is not partition:
            entry = self._open_partitions[id(partition)] = [partition, 0, None]
        entry[_LAST] = record
        entry[_SEEN] += 1
        if entry[_SEEN] >= self._page_size:
            entry[_SEEN] = 0
            self._take_last_record(entry)
            self._checkpoint(partition)

    def close_partition(self, partition: Partition) -> None:
        closing = partition.to_slice()
        for key, entry in list(self._open_partitions.items()):
            if entry[_SLICE] is closing or entry[_SLICE] == closing:
                self._take_last_record(entry)
                del self._open_partitions[key]
        super().close_partition(partition)

    def _take_last_record(self, entry: List[Any]) -> None:
        """The partition's most recent cursor value from its last record (records are ascending)."""
        record = entry[_LAST]
        if record is None:
            return
        entry[_LAST] = None
        try:
            value = self._extract_cursor_value(record)
        except ValueError:
            self._log_for_record_without_cursor_value()
            return
        partition = entry[_SLICE]
        most_recent = self._most_recent_cursor_value_per_partition.get(partition)
        if most_recent is None or most_recent < value:
            self._most_recent_cursor_value_per_partition[partition] = value
        elif most_recent > value:
            self._is_ascending_order = False

    def _checkpoint(self, partition: Any) -> None:
        most_recent = self._most_recent_cursor_value_per_partition.get(partition)
        if most_recent is None or partition is None:
            return
        start_key, end_key = self._connector_state_converter.START_KEY, self._connector_state_converter.END_KEY
        start = self._connector_state_converter.parse_value(partition[self._slice_boundary_fields_wrapper[0]])
        with self._lock:
            slices = [dict(s) for s in self._concurrent_state.get("slices", [])]
            slices.append({start_key: start, end_key: most_recent, self._connector_state_converter.MOST_RECENT_RECORD_KEY: most_recent})
            partial = {
                **self._concurrent_state,
                "legacy": dict(self._concurrent_state.get("legacy", {})),
                "slices": self._connector_state_converter.merge_intervals(slices),
            }
            state = self._connector_state_converter.convert_to_state_message(self.cursor_field, partial)
            self._connector_state_manager.update_state_for_stream(self._stream_name, self._stream_namespace, state)
            self._message_repository.emit_message(
                self._connector_state_manager.create_state_message(self._stream_name, self._stream_namespace)
            )


def checkpoint_every_page(cursor: ConcurrentCursor, page_size: int) -> None:
    """Turn the cursor the CDK built from the manifest into a `PageCheckpointingCursor`, in place, so every
    holder of it (the stream, its partition generator, its retriever) gets the behaviour."""
    cursor.__class__ = PageCheckpointingCursor
    cursor._page_size = page_size  # type: ignore[attr-defined]
    cursor._open_partitions = {}  # type: ignore[attr-defined]
