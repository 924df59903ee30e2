"""Airbyte record meta changes (`NULLED`) for values the source had to drop, and one LOG line per cause.

Components run in worker threads and see only the record's dict, so they mark a dropped field in the record
(`mark_nulled`); the main thread moves the marks into the record message's `meta.changes` (`with_changes`)
before the message leaves the source. The meta change carries the protocol's reason code; the human reason
(which field, what GHL sent: the value's type, never the value) goes into one warning per stream and field.
"""

import logging
from typing import Any, Dict, Iterable, Iterator, List, MutableMapping, Set, Tuple

from airbyte_cdk.models import AirbyteMessage, Type
# The CDK re-exports no record-meta classes; these are the published protocol models it is built on.
from airbyte_protocol_dataclasses.models import AirbyteRecordMessageMeta, AirbyteRecordMessageMetaChange, Change, Reason

LOGGER = logging.getLogger("airbyte")

# Private key of a record dict holding the marks; removed before the record is emitted.
NULLED_KEY = "__ghl_nulled"


def mark_nulled(record: MutableMapping[str, Any], field: str, reason: str) -> None:
    record.setdefault(NULLED_KEY, []).append((field, reason))


class NulledFields:
    """Adds meta changes to record messages and warns once per stream and field."""

    def __init__(self) -> None:
        self._warned: Set[Tuple[str, str]] = set()

    def apply(self, message: AirbyteMessage, nulled: List[Tuple[str, str]]) -> None:
        record = message.record
        changes = [AirbyteRecordMessageMetaChange(field=f, change=Change.NULLED, reason=Reason.SOURCE_SERIALIZATION_ERROR)
                   for f, _ in nulled]
        if record.meta is None:
            record.meta = AirbyteRecordMessageMeta(changes=changes)
        else:
            record.meta.changes = list(record.meta.changes or []) + changes
        for field, reason in nulled:
            if (record.stream, field) not in self._warned:
                self._warned.add((record.stream, field))
                LOGGER.warning(
                    "%s.%s emitted as null (meta change NULLED): %s. Further records with this problem are "
                    "marked the same way without a log line.", record.stream, field, reason,
                )


def with_changes(messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
    """Pass `messages` through, turning the components' marks into meta changes."""
    nulled = NulledFields()
    for message in messages:
        if message.type == Type.RECORD:
            data: Dict[str, Any] = message.record.data  # type: ignore[union-attr]
            marks = data.pop(NULLED_KEY, None)
            if marks:
                nulled.apply(message, marks)
        yield message
