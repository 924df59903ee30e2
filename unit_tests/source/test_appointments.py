"""appointments: GHL lists them under `events`."""

from .builders import RATE_HEADERS, ChildResponse, Requests, SearchResponse, config
from .harness import run_read


def test_appointments_come_from_the_events_key(http):
    page = SearchResponse().with_contacts(1).build()
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    contact = page["contacts"][0]["id"]
    http.get(Requests.child(contact, "appointments"), json=ChildResponse("appointments").for_contact(contact, 2).build())
    out = run_read(config(), ["appointments"])
    assert [m.record.data["contactId"] for m in out.records] == [contact, contact]
    assert out.records[0].record.data["startTime"] == "2025-03-01T10:00:00Z"
