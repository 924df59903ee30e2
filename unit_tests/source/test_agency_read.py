"""The merge of per-location reads: state per location, statuses once, estimates summed, failures alone."""

import logging
from typing import Any, Dict, List

import pytest
from airbyte_cdk.models import (
    AirbyteErrorTraceMessage,
    AirbyteEstimateTraceMessage,
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    AirbyteStreamStatus,
    AirbyteStreamStatusTraceMessage,
    AirbyteTraceMessage,
    EstimateType,
    FailureType,
    StreamDescriptor,
    TraceType,
    Type,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_ghl_contacts.agency_read import read_locations


def record(stream: str, data: Dict[str, Any]) -> AirbyteMessage:
    return AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream=stream, data=dict(data), emitted_at=0))


def state(stream: str, value: Dict[str, Any]) -> AirbyteMessage:
    return AirbyteMessage(type=Type.STATE, state=AirbyteStateMessage(type=AirbyteStateType.STREAM, stream=AirbyteStreamState(
        stream_descriptor=StreamDescriptor(name=stream), stream_state=AirbyteStateBlob(**value))))


def status(stream: str, value: AirbyteStreamStatus) -> AirbyteMessage:
    return AirbyteMessage(type=Type.TRACE, trace=AirbyteTraceMessage(type=TraceType.STREAM_STATUS, emitted_at=0,
        stream_status=AirbyteStreamStatusTraceMessage(stream_descriptor=StreamDescriptor(name=stream), status=value)))


def estimate(stream: str, rows: int) -> AirbyteMessage:
    return AirbyteMessage(type=Type.TRACE, trace=AirbyteTraceMessage(type=TraceType.ESTIMATE, emitted_at=0,
        estimate=AirbyteEstimateTraceMessage(name=stream, type=EstimateType.STREAM, row_estimate=rows)))


def error(text: str, kind: FailureType) -> AirbyteMessage:
    return AirbyteMessage(type=Type.TRACE, trace=AirbyteTraceMessage(type=TraceType.ERROR, emitted_at=0,
        error=AirbyteErrorTraceMessage(message=text, failure_type=kind)))


def a_read(location: str, cursor: str) -> List[AirbyteMessage]:
    return [status("contacts", AirbyteStreamStatus.STARTED), estimate("contacts", 3),
            status("contacts", AirbyteStreamStatus.RUNNING), record("contacts", {"id": f"{location}-1"}),
            state("contacts", {"dateUpdated": cursor}), status("contacts", AirbyteStreamStatus.COMPLETE)]


def run(reads: Dict[str, Any], state_in=None) -> List[AirbyteMessage]:
    seen_states: Dict[str, Any] = {}

    def read_one(config, location_state):
        seen_states[config["location_id"]] = location_state
        plan = reads[config["location_id"]]
        if isinstance(plan, Exception):
            raise plan
        yield from plan

    out: List[AirbyteMessage] = []
    generator = read_locations([{"location_id": loc} for loc in reads], ["contacts"], state_in, read_one,
                               logging.getLogger("test"))
    try:
        for message in generator:
            out.append(message)
    finally:
        run.seen_states = seen_states  # type: ignore[attr-defined]
    return out


def test_every_location_is_merged_with_its_own_state_and_one_status_per_step():
    out = run({"A": a_read("A", "2026-01-01"), "B": a_read("B", "2026-02-02")})
    records = [m.record for m in out if m.type == Type.RECORD]
    assert sorted((r.data["id"], r.data["locationId"]) for r in records) == [("A-1", "A"), ("B-1", "B")]
    statuses = [m.trace.stream_status.status for m in out if m.type == Type.TRACE and m.trace.type == TraceType.STREAM_STATUS]
    assert statuses == [AirbyteStreamStatus.STARTED, AirbyteStreamStatus.RUNNING, AirbyteStreamStatus.COMPLETE]
    last = [m for m in out if m.type == Type.STATE][-1].state.stream.stream_state.__dict__
    assert last == {"locations": {"A": {"dateUpdated": "2026-01-01"}, "B": {"dateUpdated": "2026-02-02"}}}
    estimates = [m.trace.estimate.row_estimate for m in out if m.type == Type.TRACE and m.trace.type == TraceType.ESTIMATE]
    assert estimates[-1] == 6


def test_each_location_gets_its_own_state_back_and_a_new_one_starts_from_scratch():
    previous = state("contacts", {"locations": {"A": {"dateUpdated": "2026-01-01"}, "gone": {"dateUpdated": "x"}}}).state
    out = run({"A": a_read("A", "2026-03-03"), "new": a_read("new", "2026-04-04")}, [previous])
    assert run.seen_states["A"][0].stream.stream_state.__dict__ == {"dateUpdated": "2026-01-01"}  # type: ignore[attr-defined]
    assert run.seen_states["new"] == []  # type: ignore[attr-defined]
    last = [m for m in out if m.type == Type.STATE][-1].state.stream.stream_state.__dict__["locations"]
    assert last == {"A": {"dateUpdated": "2026-03-03"}, "gone": {"dateUpdated": "x"}, "new": {"dateUpdated": "2026-04-04"}}


def test_a_failed_location_keeps_its_last_state_the_others_finish_then_one_error_names_it():
    failing = a_read("B", "2026-02-02")[:5] + [error("The app is not installed on 'B'.", FailureType.config_error)]
    with pytest.raises(AirbyteTracedException) as raised:
        run({"A": a_read("A", "2026-01-01"), "B": failing, "C": AirbyteTracedException(
            message="GHL's daily request quota for this location is spent", failure_type=FailureType.transient_error)})
    text = raised.value.message
    assert "2 of 3 locations did not sync" in text and "Location 'B': The app is not installed" in text
    assert "Location 'C': GHL's daily request quota" in text and "Location 'A'" not in text
    assert raised.value.failure_type == FailureType.transient_error  # a retry may fix part of it


def test_a_stream_is_incomplete_when_a_location_did_not_complete_it():
    def cut_short():
        yield from a_read("B", "1")[:4]
        raise AirbyteTracedException(message="boom", failure_type=FailureType.system_error)

    out: List[AirbyteMessage] = []
    with pytest.raises(AirbyteTracedException):
        for message in read_locations([{"location_id": "A"}, {"location_id": "B"}], ["contacts"], None,
                                      lambda c, _: a_read("A", "1") if c["location_id"] == "A" else cut_short(),
                                      logging.getLogger("test")):
            out.append(message)
    statuses = [m.trace.stream_status.status for m in out if m.type == Type.TRACE and m.trace.type == TraceType.STREAM_STATUS]
    assert statuses[-1] == AirbyteStreamStatus.INCOMPLETE
