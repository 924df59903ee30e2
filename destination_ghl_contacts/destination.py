"""destination-ghl-contacts: Airbyte records in, GHL contacts, tasks, notes, appointments and tags out.

`write` validates each record, buffers it on disk, and writes the buffer at each STATE (contacts first).
A STATE is echoed only once every record before it is written or rejected and reported: when a record before
it still waits for its contact, the STATE waits too.
"""

import argparse
import io
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Deque, Iterable, List, Mapping, Optional, Tuple, Union

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
from destination_ghl_contacts.buffer import Buffer
from destination_ghl_contacts.context import WriteContext
from destination_ghl_contacts.flush import Flusher, invalid_record_error
from destination_ghl_contacts.config_keys import check_known_keys
from destination_ghl_contacts.data_activation import ProtocolLine, catalog_message
from destination_ghl_contacts.state_stats import CountedState, serialize
from destination_ghl_contacts.ghl import GHL, PASSTHROUGH
from destination_ghl_contacts.log_filter import quiet_passthrough
from destination_ghl_contacts.identity import attach, primary_keys, printable_key
from destination_ghl_contacts.input import Unusable, parse_lines, unusable_record
from destination_ghl_contacts.report import UNUSABLE_INPUT, Report, rejected
from destination_ghl_contacts.spec import Settings, connection_spec, specification
from destination_ghl_contacts.validation import problem
from ghl_http.check import explain_failure
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
        if parsed_args.command == "discover":
            config = read_config_file(parsed_args.config)
            update_secrets(get_secrets(connection_spec(), config))
            check_known_keys(config, connection_spec())
            resolved = validate_config(config, connection_spec())
            logger = logging.getLogger("airbyte")
            quiet_passthrough(logger, PASSTHROUGH)
            yield catalog_message(GHL(resolved, logger), logger)  # type: ignore[misc]
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
            probe.run(GHL(resolved, logger), Settings(resolved))
            store = rejected_store.build(resolved)
            if store is not None:
                store.verify()
        except Exception as exc:  # every failure becomes a status with the user's next step
            return AirbyteConnectionStatus(status=Status.FAILED, message=explain_failure(exc, base_url))
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        resolved = validate_config(config, connection_spec())
        settings = Settings(resolved)
        settings.apply_catalog(configured_catalog)
        logger = logging.getLogger("airbyte")
        quiet_passthrough(logger, PASSTHROUGH)
        report = Report(settings.dry_run)
        buffer = Buffer()
        ctx = WriteContext(GHL(resolved, logger), settings, report, buffer)
        ctx.identity.primary_keys = primary_keys(configured_catalog)
        report.sink = rejected_store.build(resolved)
        try:
            with ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="ghl-write") as pool:
                yield from _write(ctx, Flusher(ctx, pool), input_messages)
        finally:
            buffer.close()
            ctx.identity.close()


def _write(ctx: WriteContext, flusher: Flusher, input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
    since_flush = 0
    states: Deque[Tuple[int, CountedState]] = deque()  # (seq of the last record before it, STATE)
    for message in input_messages:
        if isinstance(message, Unusable) or message.type == Type.RECORD:
            ctx.report.windows.arrived()
            since_flush += _take(ctx, message)
            if since_flush >= SOFT_FLUSH_RECORDS:
                flusher.flush(final=False)
                since_flush = 0
                yield from _ready(ctx, states)
            yield from ctx.report.drain()
        elif message.type == Type.STATE:
            records, rejected_on_arrival = ctx.report.windows.close()
            states.append((ctx.buffer.last_seq, CountedState(type=message.type, state=message.state, records=records,
                                                             rejected=rejected_on_arrival)))
            flusher.flush(final=False)
            since_flush = 0
            yield from _ready(ctx, states)
    flusher.flush(final=True)
    yield from _ready(ctx, states)
    if ctx.report.sink is not None:
        ctx.report.sink.flush()  # rejections after the last STATE
    yield ctx.report.summary()


def _ready(ctx: WriteContext, states: Deque[Tuple[int, CountedState]]) -> Iterable[AirbyteMessage]:
    """Reports first, then every STATE whose records are all written or rejected."""
    yield from ctx.report.drain()
    oldest = ctx.buffer.oldest_pending()
    if ctx.report.sink is not None and states and (oldest is None or states[0][0] < oldest):
        ctx.report.sink.flush()  # stored before the STATE that covers them is echoed
    while states and (oldest is None or states[0][0] < oldest):
        last_seq, state = states.popleft()
        state.rejected += ctx.report.windows.rejected_through(last_seq)
        yield state


def _take(ctx: WriteContext, message: Union[AirbyteMessage, Unusable]) -> int:
    """Validate one record and buffer it; 1 when buffered, 0 when rejected or skipped."""
    bad = message if isinstance(message, Unusable) else unusable_record(message)
    stream = bad.stream if bad else message.record.stream
    obj = ctx.settings.object_of_stream.get(stream) if stream else None
    if stream and obj is None:
        ctx.report.skip_stream(stream)
        return 0
    if bad:
        return _reject(ctx, obj, stream, bad.key, bad.reason)
    raw = message.record.data
    record = mapping.fold_custom_fields(mapping.rename(raw, ctx.settings.field_mappings[obj]))
    identity_key = ctx.identity.key(obj, stream, record, raw)
    key = printable_key(identity_key)
    reason = problem(obj, record, identity_key) or ctx.identity.claim(obj, identity_key, record)
    if reason:
        return _reject(ctx, obj, stream, key, reason)
    ctx.buffer.add(obj, stream, key, attach(record, identity_key))
    return 1


def _reject(ctx: WriteContext, obj: Optional[str], stream: Optional[str], key: str, reason: str) -> int:
    """`obj` None: input that names no mapped stream (not JSON, no record); the report counts it apart."""
    ctx.report.record(obj or UNUSABLE_INPUT, stream or "(none)", key, rejected(reason))
    if ctx.settings.fail_on_invalid:
        raise invalid_record_error(stream or "(none)", key, reason)
    return 0
