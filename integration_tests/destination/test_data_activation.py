"""Data Activation through the console script: `discover` answers a DESTINATION_CATALOG that the published
Airbyte protocol 0.18 accepts; a connection that maps its streams with `destination_object_name` (fields
already renamed by the platform, custom fields as `customFields.<key>`) lands right, with each operation's
mode; every echoed STATE carries `destinationStats` with `rejectedRecordCount`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from . import harness
from .harness import config, run

# The AirbyteMessage JSON Schema of airbyte-protocol-models 0.18.0 (see the file's $comment).
PROTOCOL = json.loads((Path(__file__).parents[2] / "unit_tests" / "destination" / "fixtures"
                       / "airbyte_protocol_0.18.0_message.schema.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(PROTOCOL)


@pytest.fixture(scope="module")
def sandbox():
    from ghl_sandbox.process import SandboxProcess

    with SandboxProcess(seed=13, **harness.FAST) as sb:
        yield sb


def _stream(name, obj, mode, primary_key=None):
    configured = {"stream": {"name": name, "json_schema": {"type": "object"}, "supported_sync_modes": ["full_refresh"]},
                  "sync_mode": "full_refresh", "destination_sync_mode": mode, "destination_object_name": obj}
    if primary_key:
        configured["primary_key"] = primary_key
    return configured


def _record(stream, data):
    return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1767225600000}})


STATE = json.dumps({"type": "STATE", "state": {"type": "GLOBAL", "global": {"shared_state": {"position": 1},
                                                                             "stream_states": []}}})


def test_discover_answers_a_destination_catalog_of_protocol_0_18(sandbox):
    result = run("discover", config(sandbox))
    assert result.returncode == 0, result.stderr[-2000:]
    [message] = result.of_type("DESTINATION_CATALOG")
    VALIDATOR.validate(message)
    operations = message["destination_catalog"]["operations"]
    modes = sorted((op["object_name"], op["sync_mode"]) for op in operations)
    assert modes == sorted([("contacts", "append_dedup"), ("contacts", "update"), ("contacts", "append"),
                            ("tasks", "append_dedup"), ("notes", "append_dedup"), ("appointments", "append_dedup"),
                            ("tags", "append")])
    contacts = next(op for op in operations if op["object_name"] == "contacts")
    assert contacts["matching_keys"] == [["ghlId"], ["email"], ["phone"]]
    properties = contacts["json_schema"]["properties"]
    assert {"email", "firstName", "lastName", "phone"} <= set(properties)
    assert properties["customFields.lead_score"]["type"] == ["number", "null"]  # read live from the location
    assert sorted(contacts["json_schema"]["required"]) == ["email", "firstName", "lastName"]


def test_a_mapped_connection_lands_with_each_operations_mode_and_counts_rejections(sandbox):
    sandbox.reset()
    seeded = next(c for c in sandbox.dump()["contacts"] if c.get("email"))
    catalog = {"streams": [_stream("people", "contacts", "append_dedup", [["person_id"]]),
                           _stream("people_updates", "contacts", "update"),
                           _stream("todo_items", "tasks", "append_dedup", [["todo_id"]])]}
    person = {"person_id": "p-1", "email": "mapped.person@example.com", "firstName": "Mapped", "lastName": "Person",
              "customFields.lead_score": 42}
    lines = [_record("people", person),
             _record("people_updates", {"email": seeded["email"], "firstName": "Renamed", "lastName": "Seeded"}),
             _record("people_updates", {"email": "nobody.here@example.com", "firstName": "No", "lastName": "One"}),
             _record("todo_items", {"todo_id": 7, "contactRankrId": "p-1", "title": "Call", "status": "open",
                                    "dueDate": "2026-12-10T09:00:00Z"}),
             _record("todo_items", {"todo_id": 8, "contactId": seeded["id"], "title": "Bad", "status": "done",
                                    "dueDate": "2026-12-10T09:00:00Z"}),
             STATE]
    result = run("write", config(sandbox), lines, catalog=catalog)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.rejections) == 2, result.rejections
    assert any("update_only" in r and "people_updates" in r for r in result.rejections)
    assert any("key=8" in r and "status" in r for r in result.rejections)

    dump = sandbox.dump()
    by_email = {c.get("email"): c for c in dump["contacts"]}
    assert by_email[seeded["email"]]["firstName"] == "Renamed"
    assert "nobody.here@example.com" not in by_email
    new = by_email["mapped.person@example.com"]
    assert 42 in [cf.get("value") for cf in new.get("customFields") or []]
    assert [t for t in dump["tasks"] if "[key:7]" in (t.get("body") or "") and t["contactId"] == new["id"]]

    [state] = result.of_type("STATE")
    VALIDATOR.validate(state)
    assert state["state"]["destinationStats"] == {"recordCount": 5.0, "rejectedRecordCount": 2.0}


def test_an_unknown_destination_object_is_a_config_error(sandbox):
    catalog = {"streams": [_stream("people", "leads", "append_dedup")]}
    result = run("write", config(sandbox), [_record("people", {"email": "a@b.co"}), STATE], catalog=catalog)
    assert result.returncode != 0
    [trace] = result.of_type("TRACE")
    assert "destination_object_name" in trace["trace"]["error"]["message"]
    assert trace["trace"]["error"]["failure_type"] == "config_error"
