"""Write logic and validation helpers, in process."""
import pytest

from ghl_sandbox import writes
from ghl_sandbox.util import normalize_phone, parse_dob, parse_time_ms
from ghl_sandbox.validation import check_contact, check_task


@pytest.mark.parametrize("raw,want", [("+1 888-888-8888", "+18888888888"), ("(888) 888-8888", "+18888888888"),
                                      ("18888888888", "+18888888888"), ("+44 20 7946 0958", "+442079460958"),
                                      ("", None), ("abc", None)])
def test_normalize_phone(raw, want):
    assert normalize_phone(raw) == want


@pytest.mark.parametrize("raw,want", [("1990-09-25", "1990-09-25"), ("09/25/1990", "1990-09-25"),
                                      ("09.25.1990", "1990-09-25"), ("09_25_1990", "1990-09-25"),
                                      ("1990-09-25T00:00:00.000Z", "1990-09-25"), ("1990-02-30", None),
                                      ("yesterday", None)])
def test_parse_dob(raw, want):
    assert parse_dob(raw) == want


def test_parse_time_lenient():
    z = parse_time_ms("2021-07-02T05:18:26.704Z")
    assert parse_time_ms("2021-07-02T10:48:26.704+05:30") == z
    assert parse_time_ms("2021-07-02 05:18:26.704") == z
    assert parse_time_ms(z) == z and parse_time_ms(str(z)) == z
    assert parse_time_ms("2021-07-02T10:48:26+05:30", require_offset=True) is not None
    assert parse_time_ms("2021-07-02T10:48:26", require_offset=True) is None
    assert parse_time_ms("nope") is None


def test_checks_beyond_the_spec():
    assert check_contact({"locationId": "L", "email": "a@b.co"}) == []
    assert check_contact({"email": "bad", "country": "USA", "dateOfBirth": "1990-13-01"}) == [
        "email must be an email", "dateOfBirth must be a valid date (YYYY-MM-DD or MM/DD/YYYY)",
        "country must be a valid ISO 3166-1 alpha-2 country code"]
    assert check_task({"title": "t", "dueDate": "2020-10-25T11:00:00Z", "completed": True}) == []
    assert check_task({"dueDate": "1603623600000"}) == ["dueDate must be a valid ISO 8601 date string"]


def test_custom_fields_key_forms_and_removal(fresh):
    sb = fresh.sb
    loc = sb.locations[0]
    defs = {d["fieldKey"]: d for d in sb.store.custom_fields(loc, "contact")}
    c = {"id": "x", "locationId": loc, "customFields": []}
    writes.apply_contact_body(sb, c, {"customFields": [
        {"key": "lead_score", "field_value": "12"}, {"key": "contact.favorite_color", "fieldValue": "Red"},
        {"id": defs["contact.interests"]["id"], "field_value": ["Pricing"]}, {"id": "unknown", "field_value": 1}]})
    got = {cf["id"]: cf["value"] for cf in c["customFields"]}
    assert got == {defs["contact.lead_score"]["id"]: 12, defs["contact.favorite_color"]["id"]: "Red",
                   defs["contact.interests"]["id"]: ["Pricing"]}
    writes.apply_contact_body(sb, c, {"customFields": [{"key": "lead_score", "field_value": ""}]})
    assert defs["contact.lead_score"]["id"] not in {cf["id"] for cf in c["customFields"]}


def test_tags_normalised_and_modes(fresh):
    c = {"id": "x", "locationId": fresh.loc, "tags": ["a"]}
    writes.apply_contact_body(fresh.sb, c, {"tags": [" B ", "a", "b"]}, tags_mode="add")
    assert c["tags"] == ["a", "b"]
    writes.apply_contact_body(fresh.sb, c, {"tags": ["z"]})
    assert c["tags"] == ["z"]


def test_save_contact_moves_date_updated_forward(fresh):
    sb = fresh.sb
    c = sb.store.all_contacts(fresh.loc)[0]
    before = parse_time_ms(c["dateUpdated"])
    writes.save_contact(sb, c)
    first = parse_time_ms(c["dateUpdated"])
    writes.save_contact(sb, c)
    assert before < first < parse_time_ms(c["dateUpdated"])
