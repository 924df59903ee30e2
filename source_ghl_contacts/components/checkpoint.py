"""State after every page of an ascending cursor, not only at the end of the slice.

The CDK's concurrent cursor saves state when a slice (partition) is done. The contacts stream reads one slice
(cursor minus lookback to now) page by page, sorted ascending on `dateUpdated`, so after each full page every
contact up to the page's last `dateUpdated` has been emitted: that value is a safe checkpoint. Resuming from
it re-reads at most one lookback window.
"""

from typing import Any, Dict

from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor
from airbyte_cdk.sources.types import Record


class PageCheckpointingCursor(ConcurrentCursor):
    """A `ConcurrentCursor` that also emits state every `page_size` records of a partition."""

    _page_size: int
    _records_in_page: Dict[Any, int]

    def observe(self, record: Record) -> None:
        super().observe(record)
        partition = record.associated_slice
        seen = self._records_in_page.get(partition, 0) + 1
        if seen >= self._page_size:
            seen = 0
            self._checkpoint(partition)
        self._records_in_page[partition] = seen

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
    cursor._records_in_page = {}  # type: ignore[attr-defined]
