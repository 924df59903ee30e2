"""Custom fields by name: key/name on each customFields item, one typed contacts column per field."""

import pytest

from source_ghl_contacts.custom_columns import (
    NO_SCOPE_LINE, ContactColumns, Unfit, fit_to_catalog, merge_locations, plan_columns, to_date, to_number,
    to_string, to_strings,
)

from .builders import RATE_HEADERS, Requests, SearchResponse, config, error
from .harness import run_discover, run_read


def definition(field_id, key, data_type, name=None):
    return {"id": field_id, "fieldKey": f"contact.{key}", "name": name or key.title(), "dataType": data_type,
            "model": "contact"}


@pytest.mark.parametrize("data_type, schema_type", [
    ("NUMERICAL", ["null", "number"]), ("MONETORY", ["null", "number"]), ("DATE", ["null", "string"]),
    ("CHECKBOX", ["null", "array"]), ("MULTIPLE_OPTIONS", ["null", "array"]), ("TEXT", ["null", "string"]),
    ("LARGE_TEXT", ["null", "string"]), ("SINGLE_OPTIONS", ["null", "string"]), ("RADIO", ["null", "string"]),
    ("PHONE", ["null", "string"]), ("EMAIL", ["null", "string"]),
])
def test_each_data_type_has_its_column_type(data_type, schema_type):
    column = plan_columns([definition("f1", "x", data_type)])["f1"]
    assert column.schema["type"] == schema_type
    assert (column.schema.get("format") == "date") == (data_type == "DATE")


def test_an_unknown_data_type_gets_an_untyped_column_with_the_value_as_sent():
    column = plan_columns([definition("f1", "files", "FILE_UPLOAD")])["f1"]
    assert column.schema == {}
    assert column.convert({"a": {"url": "u"}}) == {"a": {"url": "u"}}


@pytest.mark.parametrize("value, expected", [(42, 42), (1.5, 1.5), ("17", 17), (" 2.50 ", 2.5), ("1e3", 1000.0)])
def test_numbers(value, expected):
    assert to_number(value) == expected and type(to_number(value)) is type(expected)


@pytest.mark.parametrize("bad", ["12 apples", True, [1], {"v": 1}, float("nan"), "inf"])
def test_what_is_no_number(bad):
    with pytest.raises(Unfit):
        to_number(bad)


@pytest.mark.parametrize("value, expected", [
    ("2026-07-01", "2026-07-01"), ("2026-07-01T00:00:00.000Z", "2026-07-01"), (1782864000000, "2026-07-01"),
])
def test_dates(value, expected):
    assert to_date(value) == expected


@pytest.mark.parametrize("bad", ["next week", "2026-13-01", True, ["2026-07-01"]])
def test_what_is_no_date(bad):
    with pytest.raises(Unfit):
        to_date(bad)


def test_options_and_text():
    assert to_strings(["Red", "Blue"]) == ["Red", "Blue"]
    assert to_strings("Yes") == ["Yes"]  # one checked option
    assert to_string("gold") == "gold" and to_string(7) == "7"
    for bad_options in ([1, 2], {"a": 1}, 3):
        with pytest.raises(Unfit):
            to_strings(bad_options)
    for bad_text in (["a"], {"a": 1}, False):
        with pytest.raises(Unfit):
            to_string(bad_text)


def test_columns_are_named_by_key_and_a_clash_with_a_standard_column_is_prefixed():
    columns = plan_columns([definition("f1", "lead_score", "NUMERICAL"), definition("f2", "email", "TEXT"),
                            definition("f3", "Source", "TEXT"), {**definition("f4", "x", "TEXT"), "model": "opportunity"}])
    assert {c.field_id: c.column for c in columns.values()} == {"f1": "lead_score", "f2": "custom_email", "f3": "custom_Source"}


def test_keys_that_still_collide_all_get_their_field_id():
    columns = plan_columns([definition("f1", "tier", "TEXT"), definition("f2", "Tier", "TEXT"),
                            definition("f3", "custom_email", "TEXT"), definition("f4", "email", "TEXT")])
    assert {c.field_id: c.column for c in columns.values()} == {
        "f1": "tier_f1", "f2": "Tier_f2", "f3": "custom_email_f3", "f4": "custom_email_f4"}


def test_a_record_gets_names_and_typed_values_and_a_bad_value_is_nulled_with_its_reason():
    columns = plan_columns([definition("f1", "lead_score", "NUMERICAL", "Lead Score"), definition("f2", "tier", "TEXT")])
    data = {"id": "c1", "customFields": [{"id": "f1", "value": "high"}, {"id": "f2", "value": "gold"}, {"id": "gone", "value": 1}]}
    ContactColumns(columns).apply(data)
    assert data["customFields"] == [{"id": "f1", "value": "high", "key": "lead_score", "name": "Lead Score"},
                                    {"id": "f2", "value": "gold", "key": "tier", "name": "Tier"}, {"id": "gone", "value": 1}]
    assert data["tier"] == "gold" and "lead_score" not in data
    assert data["__ghl_nulled"] == [("lead_score", "custom field 'lead_score' (NUMERICAL) holds a string that is not a number")]


def test_read_emits_columns_and_the_nulled_meta_change(http):
    http.get(Requests.custom_fields, json={"customFields": [definition("cf01", "tier", "NUMERICAL", "Tier")]}, headers=RATE_HEADERS)
    http.post(Requests.search, json=SearchResponse().with_contacts(2).build(), headers=RATE_HEADERS)  # tier "gold"
    out = run_read(config(), ["contacts"])
    records = [m.record for m in out.records]
    assert all(r.data["customFields"] == [{"id": "cf01", "value": "gold", "key": "tier", "name": "Tier"}] for r in records)
    assert all([(c.field, c.change.value) for c in r.meta.changes] == [("tier", "NULLED")] for r in records)
    assert [m.log.message for m in out.logs if "emitted as null" in m.log.message] == [
        "contacts.tier emitted as null (meta change NULLED): custom field 'tier' (NUMERICAL) holds a string that is "
        "not a number. Further records with this problem are marked the same way without a log line."]


def test_read_without_the_scope_keeps_the_raw_array_and_says_which_scope(http):
    http.get(Requests.custom_fields, status_code=401, json=error("missing_scope"))
    http.post(Requests.search, json=SearchResponse().with_contacts(1).build(), headers=RATE_HEADERS)
    out = run_read(config(), ["contacts"])
    assert out.records[0].record.data["customFields"] == [{"id": "cf01", "value": "gold"}]
    assert "tier" not in out.records[0].record.data
    assert [m.log.message for m in out.logs].count(NO_SCOPE_LINE) == 1
    assert "locations/customFields.readonly" in NO_SCOPE_LINE


def test_discover_declares_a_typed_column_per_field(http):
    http.get(Requests.custom_fields, json={"customFields": [definition("cf01", "renewal_date", "DATE", "Renewal Date")]},
             headers=RATE_HEADERS)
    contacts = next(s for s in run_discover(config()).catalog.catalog.streams if s.name == "contacts")
    assert contacts.json_schema["properties"]["renewal_date"] == {
        "type": ["null", "string"], "format": "date",
        "description": "Custom field 'Renewal Date' (renewal_date, GHL dataType DATE)."}


def test_discover_without_the_scope_has_no_columns_and_says_which_scope(http):
    http.get(Requests.custom_fields, status_code=403, json=error("missing_scope"))
    out = run_discover(config())
    contacts = next(s for s in out.catalog.catalog.streams if s.name == "contacts")
    assert "tier" not in contacts.json_schema["properties"]
    assert NO_SCOPE_LINE in [m.log.message for m in out.logs]


class _Catalog:
    """The part of a configured catalog `fit_to_catalog` reads."""

    def __init__(self, properties):
        stream = type("Stream", (), {"name": "contacts", "json_schema": {"properties": properties}})
        self.streams = [type("Configured", (), {"stream": stream})]


def test_locations_with_one_key_of_two_types_share_the_name_for_the_most_common_type():
    number_here = plan_columns([definition("f1", "tier", "NUMERICAL")])
    number_there = plan_columns([definition("f2", "tier", "MONETORY")])
    text = plan_columns([definition("f3", "tier", "TEXT"), definition("f4", "only_here", "DATE")])
    merged = merge_locations([text, number_here, number_there])
    assert set(merged) == {"tier", "tier__text", "only_here"}
    assert merged["tier"].schema["type"] == ["null", "number"] and merged["tier__text"].schema["type"] == ["null", "string"]
    # a tie goes to the first kind in KINDS order, whatever the order of the locations
    tie = merge_locations([text, number_here])
    assert (tie["tier"].schema["type"], tie["tier__text"].schema["type"]) == (["null", "number"], ["null", "string"])
    assert set(merge_locations([number_here, number_there])) == {"tier"}


def test_a_read_fills_the_catalogs_column_of_its_type():
    merged = merge_locations([plan_columns([definition("f1", "tier", "NUMERICAL")]),
                              plan_columns([definition("f3", "tier", "TEXT")])])
    catalog = _Catalog({name: dict(column.schema) for name, column in merged.items()})
    text_location = plan_columns([definition("f3", "tier", "TEXT")])
    assert fit_to_catalog(text_location, catalog)["f3"].column == "tier__text"
    number_location = plan_columns([definition("f1", "tier", "NUMERICAL")])
    assert fit_to_catalog(number_location, catalog)["f1"].column == "tier"
    # a catalog from before the type changed, without the alternative: the column keeps its name
    assert fit_to_catalog(text_location, _Catalog({"tier": {"type": ["null", "number"]}}))["f3"].column == "tier"
