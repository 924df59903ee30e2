"""Appointment times: GHL's zone-less text read as UTC, emitted as ISO 8601 instants; bad ones nulled."""

import pytest

from source_ghl_contacts.components.times import utc_instant

from .builders import RATE_HEADERS, Requests, SearchResponse, config
from .harness import run_read


@pytest.mark.parametrize("ghl, emitted", [
    ("2024-10-27 23:00:00", "2024-10-27T23:00:00Z"),
    ("2024-10-27T23:00:00", "2024-10-27T23:00:00Z"),
    ("2023-09-25T16:00:00+05:30", "2023-09-25T10:30:00Z"),
    ("2023-09-25T16:00:00.250-05:00", "2023-09-25T21:00:00.250Z"),
    ("2021-07-02T05:18:26.704Z", "2021-07-02T05:18:26.704Z"),
])
def test_times_become_utc_instants(ghl, emitted):
    assert utc_instant(ghl) == emitted


@pytest.mark.parametrize("bad", ["tomorrow", "2024-13-40 25:00:00", "", "1730070000000"])
def test_text_that_is_no_time_is_none(bad):
    assert utc_instant(bad) is None


def _appointments(http, events):
    page = SearchResponse().with_contacts(1).build()
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    contact = page["contacts"][0]["id"]
    http.get(Requests.child(contact, "appointments"), json={"events": events, "traceId": "t"})
    return run_read(config(), ["appointments"])


def test_read_emits_instants_and_nulls_what_is_no_time(http):
    out = _appointments(http, [
        {"id": "a1", "startTime": "2025-03-01 10:00:00", "endTime": "2025-03-01 10:30:00"},
        {"id": "a2", "startTime": "soon", "endTime": 5},
    ])
    first, second = (m.record for m in out.records)
    assert (first.data["startTime"], first.data["endTime"]) == ("2025-03-01T10:00:00Z", "2025-03-01T10:30:00Z")
    assert first.meta is None
    assert (second.data.get("startTime"), second.data.get("endTime")) == (None, None)  # a null is omitted on the wire
    assert [(c.field, c.change.value, c.reason.value) for c in second.meta.changes] == [
        ("startTime", "NULLED", "SOURCE_SERIALIZATION_ERROR"), ("endTime", "NULLED", "SOURCE_SERIALIZATION_ERROR")]
    assert "__ghl_nulled" not in second.data
    warnings = [m.log.message for m in out.logs if "emitted as null" in m.log.message]
    assert len(warnings) == 2 and "soon" not in " ".join(warnings)
