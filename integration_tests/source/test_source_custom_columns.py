"""Custom fields by name against the sandbox: key/name and typed columns equal the sandbox's definitions and
values; a field created between two discovers appears in the second; without the scope, the raw array."""

import requests

from source_ghl_contacts.custom_columns import COLUMN_TYPES, NO_SCOPE_LINE

from .harness import catalog, pit_config, run_source


def _definitions(sandbox):
    response = requests.get(f"{sandbox.base_url}/locations/{sandbox.location_id}/customFields",
                            params={"model": "contact"}, headers=sandbox.headers(), timeout=30)
    response.raise_for_status()
    return response.json()["customFields"]


def _contacts_schema(out):
    return next(s for s in out.of_type("CATALOG")[0]["catalog"]["streams"] if s["name"] == "contacts")["json_schema"]


def test_columns_and_names_equal_the_sandbox_definitions_and_values(fresh_sandbox):
    definitions = {d["id"]: d for d in _definitions(fresh_sandbox)}
    assert {d["dataType"] for d in definitions.values()} <= set(COLUMN_TYPES)  # every seeded type is typed
    schema = _contacts_schema(run_source("discover", pit_config(fresh_sandbox)))
    for d in definitions.values():
        key = d["fieldKey"].removeprefix("contact.")
        assert schema["properties"][key]["type"] == COLUMN_TYPES[d["dataType"]]["type"], key

    out = run_source("read", pit_config(fresh_sandbox), catalog("contacts", incremental=False))
    assert out.returncode == 0, out.raw[-3000:]
    truth = {c["id"]: c for c in fresh_sandbox.dump()["contacts"]}
    assert not [line for line in out.logs if "emitted as null" in line]  # the seeded values all fit their types
    checked = 0
    for record in out.records["contacts"]:
        for item in record.get("customFields") or []:
            d = definitions[item["id"]]
            key = d["fieldKey"].removeprefix("contact.")
            assert (item["key"], item["name"]) == (key, d["name"])
            ghl_value = next(f["value"] for f in truth[record["id"]]["customFields"] if f["id"] == item["id"])
            assert item["value"] == ghl_value
            expected = [ghl_value] if d["dataType"] == "CHECKBOX" and isinstance(ghl_value, str) else ghl_value
            assert record[key] == expected, (key, d["dataType"])
            checked += 1
    assert checked > 0
    record_types = {d["dataType"] for r in out.records["contacts"] for i in r.get("customFields") or []
                    for d in [definitions[i["id"]]]}
    assert {"NUMERICAL", "MONETORY", "DATE", "CHECKBOX", "MULTIPLE_OPTIONS", "TEXT"} <= record_types


def test_a_field_created_between_two_discovers_appears_in_the_second(fresh_sandbox):
    config = pit_config(fresh_sandbox)
    first = _contacts_schema(run_source("discover", config))
    assert "loyalty_points" not in first["properties"]
    created = fresh_sandbox.create_custom_field("Loyalty Points", "NUMERICAL")  # fails unless GHL answers 201
    assert created["fieldKey"] == "contact.loyalty_points"
    second = _contacts_schema(run_source("discover", config))
    assert second["properties"]["loyalty_points"]["type"] == ["null", "number"]
    assert set(first["properties"]) | {"loyalty_points"} == set(second["properties"])


def test_without_the_scope_the_raw_array_and_one_line_naming_the_scope(fresh_sandbox):
    token = fresh_sandbox.mint_token(["contacts.readonly"])
    out = run_source("read", pit_config(fresh_sandbox, token=token), catalog("contacts", incremental=False))
    assert out.returncode == 0, out.raw[-3000:]
    assert out.logs.count(NO_SCOPE_LINE) == 1
    items = [i for r in out.records["contacts"] for i in r.get("customFields") or []]
    assert items and all(set(i) == {"id", "value"} for i in items)
    assert not any("lead_score" in r for r in out.records["contacts"])
