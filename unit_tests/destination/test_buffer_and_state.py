"""Ordering (contacts before what refers to them), STATE after its records, bounded memory."""

import tracemalloc

from airbyte_cdk.models import AirbyteMessage, AirbyteRecordMessage, AirbyteStateMessage, AirbyteStateType, Type
from airbyte_cdk.models import AirbyteStateBlob, AirbyteGlobalState

from destination_ghl_contacts.buffer import Buffer
from destination_ghl_contacts.destination import DestinationGhlContacts

from .conftest import BASE, make_config


def record(stream, data):
    return AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream=stream, data=data, emitted_at=0))


def state(n):
    return AirbyteMessage(type=Type.STATE, state=AirbyteStateMessage(
        type=AirbyteStateType.GLOBAL, global_=AirbyteGlobalState(shared_state=AirbyteStateBlob(position=n), stream_states=[])))


CONTACT = {"rankrId": "rk_c_1", "email": "a@b.co", "firstName": "A", "lastName": "B"}
NOTE = {"rankrId": "rk_n_1", "contactRankrId": "rk_c_1", "body": "hello"}


def test_a_child_before_its_contact_is_written_after_it_and_its_state_waits(mock):
    mock.get(BASE + "/contacts/search/duplicate", json={"contact": None})
    mock.post(BASE + "/contacts/", status_code=201, json={"contact": {"id": "c1"}})
    mock.get(BASE + "/contacts/c1/notes", json={"notes": []})
    mock.post(BASE + "/contacts/c1/notes", status_code=201, json={"note": {"id": "n1"}})
    messages = [record("notes", NOTE), state(1), record("contacts", CONTACT), state(2)]
    out = list(DestinationGhlContacts().write(make_config(), None, iter(messages)))
    posts = [r.url for r in mock.request_history if r.method == "POST"]
    assert posts == [BASE + "/contacts/", BASE + "/contacts/c1/notes"]
    kinds = [m.type for m in out]
    # state 1 is held until the note before it is written (after the contact arrives), then both states go out
    assert kinds.count(Type.STATE) == 2 and kinds[-1] == Type.LOG
    assert "notes: created=1" in out[-1].log.message


def test_an_unknown_contact_is_rejected_at_the_end_and_the_state_is_still_emitted(mock):
    out = list(DestinationGhlContacts().write(make_config(), None, iter([record("notes", NOTE), state(1)])))
    texts = [m.log.message for m in out if m.type == Type.LOG]
    assert any(t.startswith("Rejected record: stream=notes key=rk_n_1 reason=contactRankrId") for t in texts)
    assert [m.type for m in out].count(Type.STATE) == 1
    assert mock.request_history == []


def test_an_unmapped_stream_is_skipped_with_one_warning(mock):
    out = list(DestinationGhlContacts().write(make_config(), None, iter([record("leads", {})] * 3)))
    warnings = [m.log.message for m in out if m.type == Type.LOG and "not mapped" in m.log.message]
    assert len(warnings) == 1 and "leads=3" in out[-1].log.message


def test_the_buffer_keeps_records_on_disk(tmp_path):
    buffer = Buffer(str(tmp_path))
    tracemalloc.start()
    for i in range(20000):
        buffer.add("notes", "notes", f"rk_n_{i}", {"rankrId": f"rk_n_{i}", "body": "x" * 500})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5_000_000  # 20,000 x 500 bytes = 10 MB of records, not held in memory
    assert len(buffer) == 20000
    first = buffer.batch(contacts=False, limit=3)
    assert [i.key for i in first] == ["rk_n_0", "rk_n_1", "rk_n_2"]
    buffer.add("contacts", "contacts", "rk_c_1", CONTACT)
    assert [i.key for i in buffer.batch(contacts=True, limit=10)] == ["rk_c_1"]
    buffer.done(first)
    assert buffer.oldest_pending() == 4
    buffer.close()
