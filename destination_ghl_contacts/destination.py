"""destination-ghl-contacts: Airbyte records in, GHL contacts, tasks, notes, appointments and tags out.

`write` validates each record, buffers it on disk, and writes the buffer at each STATE (contacts first),
echoing the STATE only once every record before it is written or rejected and reported.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, Mapping

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    ConfiguredAirbyteCatalog,
    ConnectorSpecification,
    Status,
    Type,
)

from destination_ghl_contacts import mapping, probe
from destination_ghl_contacts.buffer import Buffer
from destination_ghl_contacts.context import WriteContext
from destination_ghl_contacts.flush import Flusher, invalid_record_error
from destination_ghl_contacts.ghl import GHL
from destination_ghl_contacts.report import Report, rejected
from destination_ghl_contacts.spec import Settings, connection_spec, specification
from destination_ghl_contacts.validation import problem
from ghl_http.check import explain_failure
from ghl_http.config import validate_config

# Records buffered before a write without waiting for the next STATE (keeps the temp file small and GHL busy).
SOFT_FLUSH_RECORDS = 1000


class DestinationGhlContacts(Destination):
    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        base_url = str(config.get("api_base_url") or "") if isinstance(config, Mapping) else ""
        try:
            resolved = validate_config(config, connection_spec())
            probe.run(GHL(resolved, logger), Settings(resolved))
        except Exception as exc:  # every failure becomes a status with the user's next step
            return AirbyteConnectionStatus(status=Status.FAILED, message=explain_failure(exc, base_url))
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        resolved = validate_config(config, connection_spec())
        settings = Settings(resolved)
        logger = logging.getLogger("airbyte")
        report = Report(settings.dry_run)
        buffer = Buffer()
        ctx = WriteContext(GHL(resolved, logger), settings, report, buffer)
        try:
            with ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="ghl-write") as pool:
                yield from _write(ctx, Flusher(ctx, pool), input_messages)
        finally:
            buffer.close()


def _write(ctx: WriteContext, flusher: Flusher, input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
    since_flush = 0
    for message in input_messages:
        if message.type == Type.RECORD:
            since_flush += _take(ctx, message.record.stream, dict(message.record.data or {}))
            if since_flush >= SOFT_FLUSH_RECORDS:
                flusher.flush(final=False)
                since_flush = 0
            yield from ctx.report.drain()
        elif message.type == Type.STATE:
            flusher.flush(final=True)
            since_flush = 0
            yield from ctx.report.drain()
            yield message
    flusher.flush(final=True)
    yield from ctx.report.drain()
    yield ctx.report.summary()


def _key(data: Mapping[str, Any]) -> str:
    return str(data.get("rankrId") or data.get("ghlId") or data.get("email") or "(no key)")


def _take(ctx: WriteContext, stream: str, data: dict) -> int:
    """Validate one record and buffer it; 1 when buffered, 0 when rejected or skipped."""
    obj = ctx.settings.object_of_stream.get(stream)
    if obj is None:
        ctx.report.skip_stream(stream)
        return 0
    record = mapping.rename(data, ctx.settings.field_mappings[obj])
    key = _key(record)
    reason = problem(obj, record)
    if reason:
        ctx.report.record(obj, stream, key, rejected(reason))
        if ctx.settings.fail_on_invalid:
            raise invalid_record_error(stream, key, reason)
        return 0
    ctx.buffer.add(obj, stream, key, record)
    return 1
