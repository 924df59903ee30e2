"""destination-ghl-contacts: Airbyte records in, GHL contacts, tasks, notes, appointments and tags out.

`write` validates each record, buffers it on disk, and writes the buffer at each STATE (contacts first).
A STATE is echoed only once every record before it is written or rejected and reported: when a record before
it still waits for its contact, the STATE waits too.
"""

import argparse
import io
import logging
from collections import deque
from typing import Any, Deque, Dict, Iterable, List, Mapping, Optional, Tuple, Union

import orjson

from airbyte_cdk.destinations import Destination
from airbyte_cdk.exception_handler import init_uncaught_exception_handler
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

from destination_ghl_contacts import mapping, probe, rejected_store
from destination_ghl_contacts.config_keys import check_known_keys
from destination_ghl_contacts.data_activation import ProtocolLine, catalog_message
from destination_ghl_contacts.flush import invalid_record_error
from destination_ghl_contacts.ghl import GHL, PASSTHROUGH
from destination_ghl_contacts.identity import Identity, attach, primary_keys, printable_key
from destination_ghl_contacts.input import Unusable, parse_lines, unusable_record
from destination_ghl_contacts.locations import Locations
from destination_ghl_contacts.log_filter import quiet_passthrough
from destination_ghl_contacts.state_stats import CountedState, serialize
from destination_ghl_contacts.report import UNUSABLE_INPUT, Report, rejected
from destination_ghl_contacts.spec import Settings, connection_spec, specification
from destination_ghl_contacts.validation import problem
from ghl_http import tenancy
from ghl_http.cdk_logs import quiet_cdk_noise
from ghl_http.check import check_each, checked_locations, explain_failure
from ghl_http.config import read_config_file, validate_config

# Records buffered before a write without waiting for the next STATE (keeps the temp file small and GHL busy).
SOFT_FLUSH_RECORDS = 1000


class DestinationGhlContacts(Destination):
    def parse_args(self, args: List[str]) -> argparse.Namespace:
        """The CDK's commands, and `discover --config` (Data Activation)."""
        if args[:1] == ["discover"]:
            parser = argparse.ArgumentParser(prog="destination-ghl-contacts discover")
            parser.add_argument("--config", type=str, required=True, help="path to the JSON configuration file")
            return argparse.Namespace(command="discover", **vars(parser.parse_args(args[1:])))
        return super().parse_args(args)

    def run(self, args: List[str]) -> None:
        """The CDK's run, printing what its AirbyteMessage cannot carry yet: the DESTINATION_CATALOG and the
        STATE counts of protocol 0.18 (state_stats)."""
        init_uncaught_exception_handler(logging.getLogger("airbyte"))
        parsed_args = self.parse_args(args)
        for message in self.run_cmd(parsed_args):
            payload = message.payload if isinstance(message, ProtocolLine) else serialize(message)
            print(orjson.dumps(payload).decode())

    def run_cmd(self, parsed_args: argparse.Namespace) -> Iterable[AirbyteMessage]:
        """Our config check runs before the CDK's, so a bad config names its field and the fix."""
        quiet_cdk_noise()
        if parsed_args.command == "discover":
            yield from _discover(parsed_args.config)
            return
        if parsed_args.command in ("check", "write"):
            # Ours, not the CDK's read_config: an unreadable file or a JSON list is a config error, not a system one.
            config = read_config_file(parsed_args.config)
            update_secrets(get_secrets(connection_spec(), config))
            try:
                check_known_keys(config, connection_spec())
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
        quiet_passthrough(logger, PASSTHROUGH)
        try:
            check_known_keys(config, connection_spec())
            resolved = validate_config(config, connection_spec())
            store = rejected_store.build(resolved)
            if store is not None:
                store.verify()
            checked = checked_locations(resolved, tenancy.location_configs(resolved, logger))
        except Exception as exc:  # every failure becomes a status with the user's next step
            return AirbyteConnectionStatus(status=Status.FAILED, message=explain_failure(exc, base_url))

        def failure(location_config: Dict[str, Any]) -> Optional[str]:
            try:
                probe.run(GHL(location_config, logger), Settings(location_config))
            except Exception as exc:
                return explain_failure(exc, base_url)
            return None

        return check_each(checked, failure)

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        resolved = validate_config(config, connection_spec())
        settings = Settings(resolved)
        settings.apply_catalog(configured_catalog)
        logger = logging.getLogger("airbyte")
        quiet_passthrough(logger, PASSTHROUGH)
        report = Report(settings.dry_run)
        report.sink = rejected_store.build(resolved)
        identity = Identity(primary_keys(configured_catalog))  # one for the sync: claims name their location
        locations = Locations(resolved, settings, report, logger)
        try:
            yield from _write(settings, report, locations, identity, input_messages)
        finally:
            locations.close()
            identity.close()


def _discover(config_path: str) -> Iterable[ProtocolLine]:
    config = read_config_file(config_path)
    update_secrets(get_secrets(connection_spec(), config))
    check_known_keys(config, connection_spec())
    resolved = validate_config(config, connection_spec())
    logger = logging.getLogger("airbyte")
    quiet_passthrough(logger, PASSTHROUGH)
    # The contacts schema holds every location's custom fields (an agency's locations each have their own).
    locations = tenancy.location_configs(resolved, logger)
    yield catalog_message([GHL(location, logger) for location in locations], logger)


def _write(settings: Settings, report: Report, locations: Locations, identity: Identity,
           input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
    since_flush = 0
    states: Deque[Tuple[Dict[str, int], CountedState]] = deque()  # (each location's last record before it, STATE)
    for message in input_messages:
        if isinstance(message, Unusable) or message.type == Type.RECORD:
            report.windows.arrived()
            since_flush += _take(settings, report, locations, identity, message)
            if since_flush >= SOFT_FLUSH_RECORDS:
                locations.flush(final=False)
                since_flush = 0
                yield from _ready(report, locations, states)
            yield from report.drain()
        elif message.type == Type.STATE:
            records, rejected_on_arrival = report.windows.close()
            states.append((locations.pending_marks(), CountedState(type=message.type, state=message.state,
                                                                   records=records, rejected=rejected_on_arrival)))
            locations.flush(final=False)
            since_flush = 0
            yield from _ready(report, locations, states)
    locations.flush(final=True)
    yield from _ready(report, locations, states)
    if report.sink is not None:
        report.sink.flush()  # rejections after the last STATE
    yield report.summary()


def _ready(report: Report, locations: Locations,
           states: Deque[Tuple[Dict[str, int], CountedState]]) -> Iterable[AirbyteMessage]:
    """Reports first, then every STATE whose records are all written or rejected (its rejections stored and
    counted first)."""
    yield from report.drain()
    if report.sink is not None and states and locations.done_before(states[0][0]):
        report.sink.flush()
    while states and locations.done_before(states[0][0]):
        marks, state = states.popleft()
        state.rejected += report.windows.rejected_through(marks)
        yield state


def _take(settings: Settings, report: Report, locations: Locations, identity: Identity,
          message: Union[AirbyteMessage, Unusable]) -> int:
    """Validate one record and buffer it in its location; 1 when buffered, 0 when rejected or skipped."""
    bad = message if isinstance(message, Unusable) else unusable_record(message)
    stream = bad.stream if bad else message.record.stream
    obj = settings.object_of_stream.get(stream) if stream else None
    if stream and obj is None:
        report.skip_stream(stream)
        return 0
    if bad:
        return _reject(settings, report, obj, stream, bad.key, bad.reason)
    raw = message.record.data
    record = mapping.fold_custom_fields(mapping.rename(raw, settings.field_mappings[obj]))
    identity_key = identity.key(obj, stream, record, raw)
    key = printable_key(identity_key)
    reason = problem(obj, record, identity_key)
    if reason:
        return _reject(settings, report, obj, stream, key, reason)
    ctx, reason = locations.writer_for(record)
    if ctx is None:
        return _reject(settings, report, obj, stream, key, reason)
    reason = identity.claim(obj, identity_key, record, ctx.ghl.location_id)  # claims are per location
    if reason:
        return _reject(settings, report, obj, stream, key, reason)
    ctx.identity = identity  # the writers' GHL-id owners are the sync's too
    ctx.buffer.add(obj, stream, key, attach(record, identity_key))
    return 1


def _reject(settings: Settings, report: Report, obj: Optional[str], stream: Optional[str], key: str, reason: str) -> int:
    """`obj` None: input that names no mapped stream (not JSON, no record); the report counts it apart."""
    report.record(obj or UNUSABLE_INPUT, stream or "(none)", key, rejected(reason))
    if settings.fail_on_invalid:
        raise invalid_record_error(stream or "(none)", key, reason)
    return 0
