"""Reading stdin: every line that holds no usable record becomes a rejection with a reason, never a crash, a
silent drop or an echo of the record's content."""

from airbyte_cdk.models import AirbyteMessage, Type

from destination_ghl_contacts.destination import DestinationGhlContacts
from destination_ghl_contacts.input import Unusable, parse_lines

from .conftest import BASE, make_config

VALID = b'{"type": "RECORD", "record": {"stream": "contacts", "data": {"rankrId": "rk_c_1"}, "emitted_at": 1}}'


def _record(data_json: bytes) -> bytes:
    return b'{"type": "RECORD", "record": {"stream": "contacts", "data": %s, "emitted_at": 1}}' % data_json


def test_each_unusable_line_says_why_without_its_content():
    lines = [VALID, b"", b"not json secret-ish", b'{"type": "RECORD"}', _record(b'"oops"'),
             _record(b'{"rankrId": "rk_c_2", "firstName": "A\\ud800"}'), b'\xff{"type": "RECORD"}',
             b'{"type": "RECORD", "record": {"stream": "contacts", "data": {"rankrId": "rk_c_3"}}}',
             b'{"type": "STATE", "state": "x"}']
    out = list(parse_lines(lines))
    assert isinstance(out[0], AirbyteMessage) and out[0].type == Type.RECORD
    assert out[1:] == [
        Unusable(None, "(input line 3)", "the input line is not JSON (invalid literal, expected 'null')"),
        Unusable(None, "(input line 4)", "the RECORD message holds no record"),
        Unusable("contacts", "(input line 5)", "data: must be of type object, not str"),
        Unusable("contacts", "rk_c_2",
                 "firstName: holds an unpaired UTF-16 surrogate escape, which is not valid Unicode"),
        Unusable(None, "(input line 7)", "the input line is not UTF-8 text"),
        Unusable("contacts", "rk_c_3", "the RECORD message does not follow the Airbyte protocol (stream, data and "
                                       "emitted_at are required)"),
        Unusable(None, "(input line 9)", "the message does not follow the Airbyte protocol"),
    ]
    assert not any("secret-ish" in u.reason for u in out[1:])


def test_unusable_input_is_rejected_and_counted_and_the_write_goes_on(mock):
    mock.get(BASE + "/contacts/search/duplicate", json={"contact": None})
    mock.post(BASE + "/contacts/", status_code=201, json={"contact": {"id": "c1"}})
    valid = _record(b'{"rankrId": "rk_c_1", "email": "a@b.co", "firstName": "A", "lastName": "B"}')
    state = b'{"type": "STATE", "state": {"type": "LEGACY", "data": {"n": 1}}}'
    lines = [valid, b'{"type": "RECORD"}', _record(b"[1]"), state]
    messages = DestinationGhlContacts()._parse_input_stream(iter(lines))
    out = list(DestinationGhlContacts().write(make_config(), None, messages))
    logs = [m.log.message for m in out if m.type == Type.LOG]
    assert "Rejected record: stream=(none) key=(input line 2) reason=the RECORD message holds no record" in logs
    assert "Rejected record: stream=contacts key=(input line 3) reason=data: must be of type object, not list" in logs
    assert logs[-1].endswith("contacts: created=1 updated=0 unchanged=0 rejected=1; unusable input: rejected=1")
    assert [m.type for m in out].count(Type.STATE) == 1
