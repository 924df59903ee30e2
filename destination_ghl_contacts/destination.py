"""destination-ghl-contacts: Airbyte records in, GHL contacts, tasks, notes, appointments and tags out.

`write` validates each record, buffers it on disk, and writes the buffer at each STATE (contacts first).
A STATE is echoed only once every record before it is written or rejected and reported: when a record before
it still waits for its contact, the STATE waits too.
"""

import argparse
import io
import logging
from collections import deque
from typing import Any, Deque, Dict, Iterable, Mapping, Optional, Tuple, Union

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    ConfiguredAirbyteCatalog,
    ConnectorSpecification,
    Status,
    Type,
)

from airbyte_cdk.utils.airbyte_secrets_utils import get_secrets, update_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_ghl_contacts import mapping, probe
from destination_ghl_contacts.flush import invalid_record_error
from destination_ghl_contacts.ghl import GHL
from destination_ghl_contacts.locations import Locations
from destination_ghl_contacts.input import Unusable, parse_lines, record_key, unusable_record
from destination_ghl_contacts.report import UNUSABLE_INPUT, Report, rejected
from destination_ghl_contacts.spec import Settings, connection_spec, specification
from destination_ghl_contacts.validation import problem
from ghl_http import messages, tenancy
from ghl_http.cdk_logs import quiet_cdk_noise
from ghl_http.check import explain_failure
from ghl_http.config import read_config_file, validate_config

# Records buffered before a write without waiting for the next STATE (keeps the temp file small and GHL busy).
SOFT_FLUSH_RECORDS = 1000


class DestinationGhlContacts(Destination):
    def run_cmd(self, parsed_args: argparse.Namespace) -> Iterable[AirbyteMessage]:
        """Our config check runs before the CDK's, so a bad config names its field and the fix."""
        quiet_cdk_noise()
        if parsed_args.command in ("check", "write"):
            # Ours, not the CDK's read_config: an unreadable file or a JSON list is a config error, not a system one.
            config = read_config_file(parsed_args.config)
            update_secrets(get_secrets(connection_spec(), config))
            try:
                validate_config(config, connection_spec())
            except AirbyteTracedException as exc:
                if parsed_args.command == "check":
                    yield AirbyteMessage(type=Type.CONNECTION_STATUS, connectionStatus=AirbyteConnectionStatus(
                        status=Status.FAILED, message=exc.message))
                    return
                raise
        yield from super().run_cmd(parsed_args)

    def _parse_input_stream(self, input_stream: io.TextIOWrapper) -> Iterable[Union[AirbyteMessage, Unusable]]:
        """Our reader (see `input`): a line that holds no usable record is rejected, not dropped or fatal. It
        reads bytes, so that text that is not UTF-8 is one rejected line rather than an error of the stream."""
        return parse_lines(getattr(input_stream, "buffer", input_stream))

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        base_url = str(config.get("api_base_url") or "") if isinstance(config, Mapping) else ""
        try:
            resolved = validate_config(config, connection_spec())
            location_configs = tenancy.location_configs(resolved, logger)
            # Locations named in `location_ids` are each proven; of "every installed location", the first stands for all.
            checked = location_configs if resolved.get("location_ids") else location_configs[:1]
        except Exception as exc:  # every failure becomes a status with the user's next step
            return AirbyteConnectionStatus(status=Status.FAILED, message=explain_failure(exc, base_url))
        failed = []
        for location_config in checked:
            try:
                probe.run(GHL(location_config, logger), Settings(location_config))
            except Exception as exc:
                failed.append((location_config["location_id"], explain_failure(exc, base_url)))
        if not failed:
            return AirbyteConnectionStatus(status=Status.SUCCEEDED)
        if len(checked) == 1:
            return AirbyteConnectionStatus(status=Status.FAILED, message=failed[0][1])
        details = " | ".join(f"Location '{location_id}': {text}" for location_id, text in failed)
        return AirbyteConnectionStatus(status=Status.FAILED, message=messages.LOCATIONS_FAILED_CHECK.format(
            failed=len(failed), total=len(checked), details=details))

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        resolved = validate_config(config, connection_spec())
        settings = Settings(resolved)
        report = Report(settings.dry_run)
        locations = Locations(resolved, settings, report, logging.getLogger("airbyte"))
        try:
            yield from _write(settings, report, locations, input_messages)
        finally:
            locations.close()


def _write(settings: Settings, report: Report, locations: Locations,
           input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
    since_flush = 0
    states: Deque[Tuple[Dict[str, int], AirbyteMessage]] = deque()  # (each location's last record before it, STATE)
    for message in input_messages:
        if isinstance(message, Unusable) or message.type == Type.RECORD:
            since_flush += _take(settings, report, locations, message)
            if since_flush >= SOFT_FLUSH_RECORDS:
                locations.flush(final=False)
                since_flush = 0
                yield from _ready(report, locations, states)
            yield from report.drain()
        elif message.type == Type.STATE:
            states.append((locations.pending_marks(), message))
            locations.flush(final=False)
            since_flush = 0
            yield from _ready(report, locations, states)
    locations.flush(final=True)
    yield from _ready(report, locations, states)
    yield report.summary()


def _ready(report: Report, locations: Locations, states: Deque[Tuple[Dict[str, int], AirbyteMessage]]) -> Iterable[AirbyteMessage]:
    """Reports first, then every STATE whose records are all written or rejected."""
    yield from report.drain()
    while states and locations.done_before(states[0][0]):
        yield states.popleft()[1]


def _take(settings: Settings, report: Report, locations: Locations, message: Union[AirbyteMessage, Unusable]) -> int:
    """Validate one record and buffer it in its location; 1 when buffered, 0 when rejected or skipped."""
    bad = message if isinstance(message, Unusable) else unusable_record(message)
    stream = bad.stream if bad else message.record.stream
    obj = settings.object_of_stream.get(stream) if stream else None
    if stream and obj is None:
        report.skip_stream(stream)
        return 0
    if bad:
        return _reject(settings, report, obj, stream, bad.key, bad.reason)
    record = mapping.rename(message.record.data, settings.field_mappings[obj])
    key = record_key(record)
    reason = problem(obj, record)
    if reason:
        return _reject(settings, report, obj, stream, key, reason)
    ctx, reason = locations.writer_for(record)
    if ctx is None:
        return _reject(settings, report, obj, stream, key, reason)
    ctx.buffer.add(obj, stream, key, record)
    return 1


def _reject(settings: Settings, report: Report, obj: Optional[str], stream: Optional[str], key: str, reason: str) -> int:
    """`obj` None: input that names no mapped stream (not JSON, no record); the report counts it apart."""
    report.record(obj or UNUSABLE_INPUT, stream or "(none)", key, rejected(reason))
    if settings.fail_on_invalid:
        raise invalid_record_error(stream or "(none)", key, reason)
    return 0
