"""An agency read: today's single-location read run once per location, all locations at once, merged into one
Airbyte message stream.

Each location is a read of its own (its config from `ghl_http.tenancy`, so its own token and its own budget:
GHL's limits are per app and location, so N locations move N times the data in the same wall time). What
the merge owns:
- state: each stream's state is `{"locations": {<id>: <that location's state>}}`. A location keeps its state
  when it fails or is left out of a run, and a location seen for the first time starts from scratch.
- records carry `locationId`; log lines name their location.
- stream statuses: one STARTED/RUNNING per stream, COMPLETE only when every location completed it.
- failures: a location that fails does not stop the others; once they are done, one error names each failed
  location with its cause and fix.
"""

import copy
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Set

from airbyte_cdk.models import (
    AirbyteLogMessage,
    AirbyteMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    AirbyteStreamStatus,
    AirbyteStreamStatusTraceMessage,
    AirbyteTraceMessage,
    FailureType,
    Level,
    StreamDescriptor,
    TraceType,
    Type,
)
from airbyte_cdk.utils.datetime_helpers import ab_datetime_now
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import messages
from source_ghl_contacts.location_processes import process_count, read_in_processes
from source_ghl_contacts.location_threads import DONE, ReadOne, read_in_threads

LOCATIONS_KEY = "locations"


def states_by_location(state: Optional[List[AirbyteStateMessage]]) -> Dict[str, Dict[str, Any]]:
    """{stream: {location: stream state}} from the agency state messages Airbyte passes back."""
    found: Dict[str, Dict[str, Any]] = {}
    for message in state or []:
        if message.type != AirbyteStateType.STREAM or message.stream is None:
            continue
        blob = message.stream.stream_state
        stream_state = blob.__dict__ if isinstance(blob, AirbyteStateBlob) else (blob or {})
        per_location = stream_state.get(LOCATIONS_KEY)
        if isinstance(per_location, Mapping):
            found[message.stream.stream_descriptor.name] = {str(k): dict(v) for k, v in per_location.items()
                                                            if isinstance(v, Mapping)}
    return found


def _state_message(stream: str, stream_state: Mapping[str, Any]) -> AirbyteStateMessage:
    return AirbyteStateMessage(
        type=AirbyteStateType.STREAM,
        stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=stream),
                                  stream_state=AirbyteStateBlob(**stream_state)),
    )


def location_state(per_stream: Mapping[str, Mapping[str, Any]], location_id: str) -> List[AirbyteStateMessage]:
    return [_state_message(stream, locations[location_id])
            for stream, locations in per_stream.items() if location_id in locations]


def _trace(stream: str, status: AirbyteStreamStatus) -> AirbyteMessage:
    return AirbyteMessage(type=Type.TRACE, trace=AirbyteTraceMessage(
        type=TraceType.STREAM_STATUS, emitted_at=ab_datetime_now().timestamp() * 1000,
        stream_status=AirbyteStreamStatusTraceMessage(stream_descriptor=StreamDescriptor(name=stream), status=status)))


def _log(level: Level, text: str) -> AirbyteMessage:
    return AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=level, message=text))


@dataclass
class Merge:
    """What the merged stream knows so far."""

    streams: List[str]
    locations: List[str]
    state: Dict[str, Dict[str, Any]]
    statuses: Dict[str, Set[str]] = field(default_factory=dict)  # "stream/status" -> locations
    errors: Dict[str, List[Any]] = field(default_factory=dict)  # location -> error traces or exceptions

    def record(self, location_id: str, message: AirbyteMessage) -> AirbyteMessage:
        message.record.data.setdefault("locationId", location_id)  # type: ignore[union-attr]
        return message

    def state_of(self, location_id: str, message: AirbyteMessage) -> Optional[AirbyteMessage]:
        stream_state = message.state.stream  # type: ignore[union-attr]
        if stream_state is None:
            return None
        name = stream_state.stream_descriptor.name
        blob = stream_state.stream_state
        self.state.setdefault(name, {})[location_id] = blob.__dict__ if isinstance(blob, AirbyteStateBlob) else dict(blob or {})
        merged = {LOCATIONS_KEY: copy.deepcopy(self.state[name])}
        return AirbyteMessage(type=Type.STATE, state=_state_message(name, merged))

    def status_of(self, location_id: str, message: AirbyteMessage) -> Optional[AirbyteMessage]:
        status = message.trace.stream_status  # type: ignore[union-attr]
        name = status.stream_descriptor.name
        key = f"{name}/{status.status.name}"
        first = key not in self.statuses
        self.statuses.setdefault(key, set()).add(location_id)
        if status.status in (AirbyteStreamStatus.STARTED, AirbyteStreamStatus.RUNNING) and first:
            return message
        return None  # the end of a stream is said once every location has ended it (`final_statuses`)

    def final_statuses(self) -> Iterator[AirbyteMessage]:
        for stream in self.streams:
            complete = self.statuses.get(f"{stream}/{AirbyteStreamStatus.COMPLETE.name}", set())
            if f"{stream}/{AirbyteStreamStatus.STARTED.name}" not in self.statuses:
                continue
            done = complete >= set(self.locations)
            yield _trace(stream, AirbyteStreamStatus.COMPLETE if done else AirbyteStreamStatus.INCOMPLETE)


def _cause(error: Any) -> tuple:
    """(message, failure type) of a location's error trace or exception."""
    if isinstance(error, AirbyteMessage):
        trace_error = error.trace.error  # type: ignore[union-attr]
        return trace_error.message, trace_error.failure_type or FailureType.system_error
    if isinstance(error, AirbyteTracedException):
        return error.message or str(error), error.failure_type or FailureType.system_error
    return f"{type(error).__name__}: {error}", FailureType.system_error


def failure_summary(errors: Mapping[str, List[Any]], total: int) -> AirbyteTracedException:
    """One error for every failed location, each with its first cause (its own words say the fix)."""
    details = []
    types: Set[FailureType] = set()
    for location_id, location_errors in sorted(errors.items()):
        # the CDK's closing summary of a location repeats its stream errors: prefer those
        traces = [error for error in location_errors if isinstance(error, AirbyteMessage)] or location_errors
        text, failure_type = _cause(traces[0])
        types.add(failure_type)
        details.append(f"Location '{location_id}': {text}")
    failure_type = FailureType.transient_error if FailureType.transient_error in types else (
        types.pop() if len(types) == 1 else FailureType.system_error)
    text = messages.LOCATIONS_FAILED.format(failed=len(errors), total=total, details=" | ".join(details))
    return AirbyteTracedException(message=text, internal_message=text, failure_type=failure_type)


def read_locations(location_configs: List[Dict[str, Any]], streams: List[str],
                   state: Optional[List[AirbyteStateMessage]], read_one: ReadOne,
                   logger: logging.Logger) -> Iterator[AirbyteMessage]:
    """Every location's read at once, merged (see the module's doc): in threads of this process, or spread
    over processes when one process would be short of CPU (`location_processes`)."""
    per_stream = states_by_location(state)
    merge = Merge(streams=streams, locations=[c["location_id"] for c in location_configs], state=per_stream)
    jobs = [(config, location_state(per_stream, config["location_id"])) for config in location_configs]
    processes = process_count(len(jobs))
    if processes > 1:
        logger.info(f"Agency sync: {len(jobs)} locations read by {processes} processes.")
        items = read_in_processes(jobs, read_one, processes)
    else:
        items = read_in_threads(jobs, read_one)
    try:
        for location_id, item in items:
            out = _item(location_id, item, merge)
            if out is not None:
                yield out
    finally:
        items.close()
    yield from merge.final_statuses()
    if merge.errors:
        raise failure_summary(merge.errors, len(location_configs))


def _item(location_id: str, item: Any, merge: Merge) -> Optional[AirbyteMessage]:
    if item is DONE:
        return None
    if isinstance(item, BaseException):
        merge.errors.setdefault(location_id, []).append(item)
        return None
    return _one(location_id, item, merge)


def _one(location_id: str, message: AirbyteMessage, merge: Merge) -> Optional[AirbyteMessage]:
    if message.type == Type.RECORD:
        return merge.record(location_id, message)
    if message.type == Type.STATE:
        return merge.state_of(location_id, message)
    if message.type == Type.LOG:
        if not location_id:  # a worker process's own log line (`location_processes`)
            return message
        message.log.message = f"[location {location_id}] {message.log.message}"  # type: ignore[union-attr]
        return message
    if message.type == Type.TRACE:
        trace_type = message.trace.type  # type: ignore[union-attr]
        if trace_type == TraceType.STREAM_STATUS:
            return merge.status_of(location_id, message)
        if trace_type == TraceType.ERROR:
            merge.errors.setdefault(location_id, []).append(message)
            text, _ = _cause(message)
            return _log(Level.WARN, f"[location {location_id}] {text}")
    return message
