"""The DESTINATION_CATALOG and the STATE counts, checked against the published protocol 0.18 schema."""

import json
import logging
from pathlib import Path

import jsonschema
from airbyte_cdk.models import AirbyteMessageSerializer, ConfiguredAirbyteCatalogSerializer

from destination_ghl_contacts.data_activation import catalog_message, merge_locations
from destination_ghl_contacts.ghl import GHL
from destination_ghl_contacts.mapping import fold_custom_fields
from destination_ghl_contacts.spec import Settings
from destination_ghl_contacts.state_stats import CountedState, Windows, serialize
from unit_tests.destination.conftest import BASE, LOC, make_config

VALIDATOR = jsonschema.Draft7Validator(json.loads(
    (Path(__file__).parent / "fixtures" / "airbyte_protocol_0.18.0_message.schema.json").read_text()))
FIELDS = f"{BASE}/locations/{LOC}/customFields"


def test_the_catalog_validates_and_types_custom_fields(mock):
    mock.get(FIELDS, json={"customFields": [
        {"id": "f1", "fieldKey": "contact.lead_score", "dataType": "NUMERICAL", "name": "Lead score"},
        {"id": "f2", "fieldKey": "contact.interests", "dataType": "MULTIPLE_OPTIONS"},
        {"id": "f3", "fieldKey": "contact.about", "dataType": "LARGE_TEXT"}]})
    payload = catalog_message([GHL(make_config(), logging.getLogger("t"))], logging.getLogger("t")).payload
    VALIDATOR.validate(payload)
    contacts = payload["destination_catalog"]["operations"][0]["json_schema"]["properties"]
    assert contacts["customFields.lead_score"]["type"] == ["number", "null"]
    assert contacts["customFields.interests"]["type"] == ["array", "null"]
    assert contacts["customFields.about"]["type"] == ["string", "null"]


def test_a_catalog_without_the_custom_field_scope_lists_none_and_says_so(mock, caplog):
    mock.get(FIELDS, status_code=401, json={"message": "The token is not authorized for this scope."})
    with caplog.at_level(logging.WARNING):
        payload = catalog_message([GHL(make_config(), logging.getLogger("t"))], logging.getLogger("t")).payload
    VALIDATOR.validate(payload)
    contacts = payload["destination_catalog"]["operations"][0]["json_schema"]["properties"]
    assert not [name for name in contacts if name.startswith("customFields.")]
    assert "locations/customFields.readonly" in caplog.text


def test_a_broken_catalog_is_refused_by_the_protocol_schema():
    bad = {"type": "DESTINATION_CATALOG", "destination_catalog": {"operations": [{"object_name": "contacts"}]}}
    assert list(VALIDATOR.iter_errors(bad))


def test_a_state_carries_its_window_counts():
    windows = Windows()
    for _ in range(3):
        windows.arrived()
    windows.rejected()  # on arrival
    windows.rejected(seq=2)  # buffered record 2, rejected when written
    windows.rejected(seq=9)  # a record after this STATE
    records, on_arrival = windows.close()
    state = AirbyteMessageSerializer.load({"type": "STATE", "state": {"type": "GLOBAL", "global": {
        "shared_state": {"p": 1}, "stream_states": []}}})
    counted = CountedState(type=state.type, state=state.state, records=records,
                           rejected=on_arrival + windows.rejected_through({"": 2}))
    payload = serialize(counted)
    VALIDATOR.validate(payload)
    assert payload["state"]["destinationStats"] == {"recordCount": 3.0, "rejectedRecordCount": 2.0}
    assert windows.rejected_through({"": 10}) == 1 and windows.close() == (0, 0)


def test_destination_object_name_and_its_mode_steer_the_stream():
    settings = Settings(make_config())
    settings.apply_catalog(ConfiguredAirbyteCatalogSerializer.load({"streams": [
        {"stream": {"name": "people", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
         "sync_mode": "full_refresh", "destination_sync_mode": "update", "destination_object_name": "contacts"}]}))
    assert settings.object_of_stream["people"] == "contacts"
    assert settings.write_mode_for("people") == "update_only" and settings.write_mode_for("contacts") == "upsert"


def test_flat_custom_fields_fold_into_custom_fields():
    assert fold_custom_fields({"email": "a@b.co", "customFields.lead_score": 4, "customFields": {"x": 1}}) == \
        {"email": "a@b.co", "customFields": {"x": 1, "lead_score": 4}}


def test_locations_custom_fields_merge_into_one_schema_each_key_with_every_type():
    number = {"type": ["number", "null"], "description": "GHL custom field Tier (NUMERICAL)"}
    text = {"type": ["string", "null"], "description": "GHL custom field Tier (TEXT)"}
    tags = {"type": ["array", "null"], "items": {"type": "string"}, "description": "GHL custom field Tags (CHECKBOX)"}
    merged = merge_locations([{"customFields.tier": number}, {"customFields.tier": text, "customFields.tags": tags},
                              {"customFields.tier": number}])
    assert merged["customFields.tier"]["type"] == ["number", "string", "null"]
    assert merged["customFields.tier"]["description"] == ("GHL custom field Tier (NUMERICAL) or GHL custom field Tier "
                                                          "(TEXT), by location")
    assert merged["customFields.tags"] == tags
    assert number["type"] == ["number", "null"]  # the inputs are left as they were
    assert merge_locations([]) == {}
