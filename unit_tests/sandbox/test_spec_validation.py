"""The spec-driven request validation (ghl_sandbox/spec_validation.py): compiled from the vendored specs,
GHL's 422 wording, and each documented exception where real GHL differs from its spec."""
from __future__ import annotations

import pytest

from ghl_sandbox.routes import load_all
from ghl_sandbox.spec_validation import EXCEPTIONS, SpecValidator
from ghl_sandbox.util import parse_time_ms


@pytest.fixture(scope="module")
def spec():
    return SpecValidator(load_all())


def body(spec, key, data, family="v2"):
    return spec.operation(family, key).check_body(data)


def query(spec, key, data, family="v2"):
    return spec.operation(family, key).check_query(data)


def test_every_ghl_route_has_its_spec_operation(spec):
    assert spec.missing == []


def test_contact_types_required_and_undeclared(spec):
    assert body(spec, "POST /contacts/", {"locationId": "L", "firstName": "A", "email": None}) == []
    assert body(spec, "POST /contacts/", {"email": "a@b.co"}) == ["locationId should not be empty"]
    errs = body(spec, "POST /contacts/", {"locationId": "L", "foo": 1, "tags": "x", "dnd": "yes"})
    assert set(errs) == {"property foo should not exist", "tags must be an array", "dnd must be a boolean value"}
    assert body(spec, "POST /contacts/", {"locationId": "L", "tags": ["a", 1]}) == [
        "each value in tags must be a string"]
    assert body(spec, "PUT /contacts/{contactId}", {"gender": "m"}) == ["property gender should not exist"]
    assert body(spec, "POST /contacts/", {"locationId": "L", "dndSettings": {"SMS": {"status": "maybe"}}}) == [
        "dndSettings.SMS.status must be one of the following values: active, inactive, permanent"]
    assert body(spec, "POST /contacts/", {"locationId": "L", "dndSettings": {"SMS": {"status": "active",
                                                                               "message": {}}}}) == [
        "dndSettings.SMS.message must be a string"]
    assert body(spec, "POST /contacts/", ["not", "an", "object"]) == ["body must be an object"]


def test_tasks_notes_and_appointments(spec):
    errs = body(spec, "POST /contacts/{contactId}/tasks", {})
    assert set(errs) == {"title should not be empty", "dueDate should not be empty", "completed should not be empty"}
    assert body(spec, "POST /contacts/{contactId}/tasks", {"title": "", "dueDate": "x", "completed": True}) == [
        "title should not be empty"]
    assert body(spec, "POST /contacts/{contactId}/notes", {"body": "x", "pinned": "no"}) == [
        "pinned must be a boolean value"]
    assert body(spec, "POST /locations/{locationId}/tasks/search", {"completed": "yes", "assignedTo": "u"}) == [
        "completed must be a boolean value", "assignedTo must be an array"]
    assert body(spec, "PUT /calendars/events/appointments/{eventId}", {"title": {}, "address": 0}) == [
        "title must be a string", "address must be a string"]


def test_query_parameters_are_coerced_like_nestjs_transform(spec):
    assert query(spec, "GET /contacts/", {"locationId": "L", "limit": "10", "startAfter": "1603870249758"}) == []
    for bad in ("1e300", "١٢", "ten", "NaN"):
        assert query(spec, "GET /contacts/", {"locationId": "L", "startAfter": bad}) == [
            "startAfter must be a number conforming to the specified constraints"], bad
    assert query(spec, "GET /locations/{locationId}/customFields", {"model": "x"}) == [
        "model must be one of the following values: contact, opportunity, all"]
    assert query(spec, "GET /calendars/", {}) == ["locationId should not be empty"]


def test_documented_exceptions(spec):
    """Each entry of EXCEPTIONS cites the line of docs/ghl-api-behaviour.md it follows."""
    assert all(e.why.startswith("§") for e in EXCEPTIONS)
    # §3.4: companyName on PUT (#314); dateOfBirth as text
    assert body(spec, "PUT /contacts/{contactId}", {"companyName": "Acme", "dateOfBirth": "1990-09-25"}) == []
    # §3.6: custom fields by key, numeric values
    assert body(spec, "POST /contacts/", {"locationId": "L", "customFields": [{"key": "k", "field_value": 3}]}) == []
    assert body(spec, "POST /contacts/", {"locationId": "L", "customFields": [{"id": ["x"]}]}) == [
        "customFields.0.id must be a string"]
    # §3.10: appointment create needs assignedUserId (#23)
    appt = {"calendarId": "c", "locationId": "L", "contactId": "x", "startTime": "2021-06-23T03:30:00+05:30"}
    assert body(spec, "POST /calendars/events/appointments", appt) == ["assignedUserId should not be empty"]
    # §6: a missing locationId on the contacts list is the location check's 403, not a 422
    assert query(spec, "GET /contacts/", {}) == []


def test_times_refuse_exotic_digits_offsets_and_out_of_range_values():
    assert parse_time_ms("2021-06-23T03:30:00+05:30") is not None
    for bad in ("2021-06-23T03:30:00+99:99", "٢٠٢١-06-23", "²", "99999999999999999999", float("inf"), 1e300):
        assert parse_time_ms(bad) is None, bad
