"""Per-stream progress as Airbyte LOG messages: records, requests, 429 waits, skipped deleted contacts."""

import time
from collections import defaultdict
from typing import Dict, Iterable, Iterator

from airbyte_cdk.models import AirbyteLogMessage, AirbyteMessage, AirbyteStreamStatus, Level, TraceType, Type

from source_ghl_contacts.components.progress import PROGRESS

REPORT_EVERY_SECONDS = 15.0


def _log(text: str) -> AirbyteMessage:
    return AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=Level.INFO, message=text))


def _summary(stream: str, records: int, elapsed: float) -> str:
    text = (
        f"{stream}: {records} records, {PROGRESS.pages.get(stream, 0)} requests answered"
        f", {PROGRESS.rate_limited.get(stream, 0)} rate-limit waits (429)"
    )
    skipped = PROGRESS.skipped_deleted.get(stream, 0)
    if skipped:
        text += f", {skipped} contacts deleted during the sync skipped"
    return text + f", {elapsed:.1f} s"


def with_progress_logs(messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
    """Pass `messages` through, adding a progress line every few seconds and a summary when a stream is done.
    Runs in the main thread, so log lines never interleave with records."""
    PROGRESS.reset()
    started = time.monotonic()
    records: Dict[str, int] = defaultdict(int)
    next_report = started + REPORT_EVERY_SECONDS
    for message in messages:
        if message.type == Type.RECORD:
            records[message.record.stream] += 1  # type: ignore[union-attr]
        elif message.type == Type.TRACE and message.trace.type == TraceType.STREAM_STATUS:  # type: ignore[union-attr]
            status = message.trace.stream_status  # type: ignore[union-attr]
            if status.status == AirbyteStreamStatus.COMPLETE:
                yield message
                yield _log("Finished " + _summary(status.stream_descriptor.name, records[status.stream_descriptor.name], time.monotonic() - started))
                continue
        yield message
        now = time.monotonic()
        if now >= next_report:
            next_report = now + REPORT_EVERY_SECONDS
            for stream in sorted(set(records) | set(PROGRESS.pages)):
                yield _log("Progress " + _summary(stream, records[stream], now - started))
