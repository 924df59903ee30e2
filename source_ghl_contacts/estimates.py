"""Airbyte ESTIMATE trace messages (stream-level row estimates), so the Airbyte UI shows a progress bar.

- `contacts`: the contacts GHL's search matches (its `total`), which is what the stream will emit.
- `tasks`, `notes`, `appointments`: one request per contact, so from the contacts whose children were read:
  the records read so far plus their average per contact times the contacts still to read. A stream read
  location-wide (location_wide.py, a few requests for the whole location, no total from GHL) is estimated at
  the records read so far.

An estimate is sent when a stream emits its first record and then every few seconds while it runs; it never
falls below what the stream already emitted. Built from the protocol models the CDK publishes.
"""

import time
from collections import defaultdict
from typing import Dict, Iterable, Iterator, Optional

from airbyte_cdk.models import (AirbyteEstimateTraceMessage, AirbyteMessage, AirbyteTraceMessage, EstimateType,
                                TraceType, Type)

from source_ghl_contacts.components.progress import PROGRESS

CONTACTS = "contacts"
CHILD_STREAMS = ("tasks", "notes", "appointments")
ESTIMATE_EVERY_SECONDS = 5.0
# Looking at the clock for every message would cost more than the estimates are worth.
_CLOCK_EVERY_MESSAGES = 256


def row_estimate(stream: str, emitted: int) -> Optional[int]:
    """The rows `stream` will emit in this sync, or None while nothing says yet."""
    total = PROGRESS.search_total
    if total is None:
        return None
    if stream == CONTACTS:
        return max(total, emitted)
    if stream in PROGRESS.location_wide:
        return max(PROGRESS.extracted.get(stream, 0), emitted)
    if stream in CHILD_STREAMS:
        contacts_read = PROGRESS.pages.get(stream, 0)
        if contacts_read == 0:
            return None
        read = max(PROGRESS.extracted.get(stream, 0), emitted)
        still_to_read = max(total - contacts_read, 0)
        return read + round(read / contacts_read * still_to_read)
    return None


def estimate_message(stream: str, rows: int) -> AirbyteMessage:
    estimate = AirbyteEstimateTraceMessage(name=stream, type=EstimateType.STREAM, row_estimate=rows)
    trace = AirbyteTraceMessage(type=TraceType.ESTIMATE, emitted_at=time.time() * 1000, estimate=estimate)
    return AirbyteMessage(type=Type.TRACE, trace=trace)


def with_estimates(messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
    """Pass `messages` through, adding ESTIMATE messages. Runs in the main thread."""
    emitted: Dict[str, int] = defaultdict(int)
    sent: Dict[str, int] = {}
    next_round = time.monotonic() + ESTIMATE_EVERY_SECONDS
    seen = 0
    totals_seen = PROGRESS.totals_version
    for message in messages:
        yield message
        if message.type != Type.RECORD:
            continue
        stream = message.record.stream  # type: ignore[union-attr]
        emitted[stream] += 1
        if stream not in sent:
            yield from _estimate(stream, emitted[stream], sent)
        seen += 1
        # a round every few seconds, and at once when a search total changed (another location's search,
        # in an agency read, answered after the first records)
        if totals_seen != PROGRESS.totals_version or (
                seen % _CLOCK_EVERY_MESSAGES == 0 and time.monotonic() >= next_round):
            totals_seen = PROGRESS.totals_version
            next_round = time.monotonic() + ESTIMATE_EVERY_SECONDS
            for name in sorted(emitted):
                yield from _estimate(name, emitted[name], sent)


def _estimate(stream: str, emitted: int, sent: Dict[str, int]) -> Iterator[AirbyteMessage]:
    rows = row_estimate(stream, emitted)
    if rows is not None and sent.get(stream) != rows:
        sent[stream] = rows
        yield estimate_message(stream, rows)
