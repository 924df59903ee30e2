"""source_ghl_contacts.webhook_events: deletion records, which children to read again, the cursor in state."""
from __future__ import annotations

from airbyte_cdk.models import AirbyteStateBlob, AirbyteStateMessage, AirbyteStateType, AirbyteStreamState, StreamDescriptor

from source_ghl_contacts.webhook_events import CURSOR_KEY, cdk_state, child_rereads, split_state, tombstone


def event(typ, **payload):
    return {"type": typ, "timestamp": "2026-12-02T10:00:00.000Z", "payload": {"type": typ, **payload}}


def state(name, blob):
    return AirbyteStateMessage(type=AirbyteStateType.STREAM, stream=AirbyteStreamState(
        stream_descriptor=StreamDescriptor(name=name), stream_state=AirbyteStateBlob(**blob)))


def test_deletion_records_carry_the_cursor_field_and_the_deletion_time():
    assert tombstone(event("ContactDelete", id="c1"), "L") == ("contacts", {
        "id": "c1", "locationId": "L", "_ab_cdc_deleted_at": "2026-12-02T10:00:00.000Z",
        "dateUpdated": "2026-12-02T10:00:00.000Z"})
    stream, rec = tombstone(event("AppointmentDelete", appointment={"id": "a1", "contactId": "c2"}), "L")
    assert stream == "appointments" and rec["contactId"] == "c2" and rec["contactDateUpdated"] == rec["_ab_cdc_deleted_at"]
    assert tombstone(event("NoteCreate", id="n1"), "L") is None
    assert tombstone(event("TaskDelete"), "L") is None  # no id: nothing to delete


def test_children_read_again_per_stream_and_never_for_a_deleted_contact():
    events = [event("NoteCreate", id="n1", contactId="c1"), event("TaskComplete", id="t1", contactId="c1"),
              event("AppointmentUpdate", appointment={"id": "a1", "contactId": "c2"}),
              event("NoteCreate", id="n2", contactId="c3"), event("ContactDelete", id="c3"),
              event("TaskDelete", id="t2", contactId="c4"), event("ContactUpdate", id="c5")]
    assert set(child_rereads(events)) == {("notes", "c1"), ("tasks", "c1"), ("appointments", "c2")}


def test_the_cursor_is_kept_out_of_the_cdk_state():
    given = [state("contacts", {"dateUpdated": "2026-01-01T00:00:00.000Z", CURSOR_KEY: 42}),
             state("notes", {"x": 1})]
    stripped, cursor, contacts = split_state(given)
    assert cursor == 42 and contacts == {"dateUpdated": "2026-01-01T00:00:00.000Z"}
    assert CURSOR_KEY not in stripped[0].stream.stream_state.__dict__
    assert CURSOR_KEY not in cdk_state(given)[0].stream.stream_state.__dict__
    plain = [state("contacts", {"dateUpdated": "x"})]
    assert cdk_state(plain) is plain and split_state(None) == (None, 0, None)
