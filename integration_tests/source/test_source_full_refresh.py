"""A full sync of a seeded location equals the sandbox's ground truth: no record lost, none extra."""

from datetime import datetime, timezone

from ghl_sandbox.util import parse_time_ms

from .harness import catalog, pit_config, run_source

# The contacts stream emits GHL's search records; these fields mean the same in the search and GET shapes.
SHARED_CONTACT_FIELDS = (
    "id", "locationId", "firstName", "lastName", "email", "phone", "companyName", "businessId", "city", "state",
    "postalCode", "country", "website", "timezone", "source", "type", "dnd", "assignedTo", "tags", "customFields",
    "dateAdded", "dateUpdated",
)


def _ghl_part(name, value):
    """What GHL sent: custom-field items without the `key` and `name` the source adds."""
    if name == "customFields" and value:
        return [{k: v for k, v in item.items() if k not in ("key", "name")} for item in value]
    return value


def _by_id(records):
    return {record["id"]: record for record in records}


def assert_contacts_match(emitted, truth):
    emitted, truth = _by_id(emitted), _by_id(truth)
    assert emitted.keys() == truth.keys()
    for contact_id, expected in truth.items():
        got = emitted[contact_id]
        for name in SHARED_CONTACT_FIELDS:
            assert _ghl_part(name, got.get(name)) == expected.get(name), (contact_id, name)
        assert got.get("address") == expected.get("address1"), contact_id
        # search gives epoch ms, GET an ISO date-time: the source emits the date
        assert got.get("dateOfBirth") == (expected["dateOfBirth"][:10] if expected.get("dateOfBirth") else None), contact_id
        assert "searchAfter" not in got


APPOINTMENT_TIMES = ("startTime", "endTime")


def _instant_ms(emitted_time):
    """An emitted appointment time (ISO 8601 with `Z` or an offset, nothing else) as epoch ms."""
    parsed = datetime.fromisoformat(emitted_time.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, emitted_time
    return int(parsed.astimezone(timezone.utc).timestamp() * 1000)


# Emitted at whole seconds (the location-wide route gives no milliseconds): compared as whole-second instants.
RECORD_TIMES = ("dateAdded", "dateUpdated")


def as_instants(appointments, parse):
    """Appointments with startTime/endTime as epoch ms and dateAdded/dateUpdated as epoch seconds, by the
    given reading of their text."""
    return [{**a, **{k: parse(a[k]) for k in APPOINTMENT_TIMES if a.get(k)},
             **{k: parse(a[k]) // 1000 for k in RECORD_TIMES if a.get(k)}} for a in appointments]


def assert_same_appointments(emitted, truth, contacts=None):
    """Appointments as GHL holds them, their times the same instants (the sandbox's zone-less text is UTC)."""
    assert all(a["startTime"].endswith("Z") for a in emitted if a.get("startTime"))
    assert all(a[k].endswith("Z") and "." not in a[k] for a in emitted for k in RECORD_TIMES if a.get(k))
    assert_same_records(as_instants(emitted, _instant_ms), as_instants(truth, parse_time_ms), contacts)


def assert_same_records(emitted, truth, contacts=None):
    """The child records GHL holds, each read once; `contactDateUpdated` (the source's cursor, not a GHL field)
    is the dateUpdated of the record's contact, and `locationId` (added where GHL's answer has none) is the one
    location read."""
    key = lambda record: record["id"]  # noqa: E731
    updated = {contact["id"]: contact["dateUpdated"] for contact in contacts or []}
    truth_by_id = {record["id"]: record for record in truth}
    for record in emitted:
        assert "contactDateUpdated" in record, record
        if updated:
            assert record["contactDateUpdated"] == updated[record["contactId"]], record
    assert len({record["locationId"] for record in emitted}) <= 1, "one location, one locationId"
    added = ("contactDateUpdated", "locationId")
    ghl_fields = [{k: v for k, v in record.items() if k not in added or k in truth_by_id.get(record["id"], {})}
                  for record in emitted]
    assert sorted(ghl_fields, key=key) == sorted(truth, key=key)


def test_full_refresh_equals_dump_with_no_429(sandbox_factory):
    sandbox = sandbox_factory(seed=11, contacts=60)
    out = run_source("read", pit_config(sandbox), catalog(incremental=False))
    assert out.returncode == 0, out.raw[-3000:]
    assert not out.errors
    truth = sandbox.dump()
    assert_contacts_match(out.records["contacts"], truth["contacts"])
    for stream in ("tasks", "notes"):
        assert_same_records(out.records[stream], truth[stream], truth["contacts"])
    assert_same_appointments(out.records["appointments"], truth["appointments"], truth["contacts"])
    for stream in ("tasks", "notes", "appointments"):
        assert all(record["contactId"] for record in out.records[stream])
    assert len(out.records["custom_fields"]) > 0
    stats = sandbox.stats()
    assert stats["rate_limited"] == 0, stats
    assert stats["peak_requests_10s"] <= 100
    assert any(line.startswith("Finished notes:") for line in out.logs)
    assert_sane_estimates(out, len(truth["contacts"]))


def assert_sane_estimates(out, contacts_total):
    """ESTIMATE trace messages for every stream GHL's search sizes: contacts' is the search total, every
    estimate is a stream-level row count of at least 0."""
    estimates = [m["trace"]["estimate"] for m in out.of_type("TRACE") if m["trace"]["type"] == "ESTIMATE"]
    assert {e["name"] for e in estimates} == {"contacts", "tasks", "notes", "appointments"}, estimates
    assert all(e["type"] == "STREAM" and e["row_estimate"] >= 0 for e in estimates), estimates
    assert [e["row_estimate"] for e in estimates if e["name"] == "contacts"] == [contacts_total]


def test_all_contacts_mode_reads_every_contacts_children(fresh_sandbox):
    config = pit_config(fresh_sandbox, children_mode="all_contacts", requests_per_10_seconds=100)
    out = run_source("read", config, catalog("notes", incremental=False))
    assert out.returncode == 0, out.raw[-3000:]
    assert_same_records(out.records["notes"], fresh_sandbox.dump()["notes"])


def test_incremental_first_sync_equals_dump(fresh_sandbox):
    out = run_source("read", pit_config(fresh_sandbox), catalog("contacts", "tasks"))
    assert out.returncode == 0, out.raw[-3000:]
    truth = fresh_sandbox.dump()
    assert_contacts_match(out.records["contacts"], truth["contacts"])
    assert_same_records(out.records["tasks"], truth["tasks"])
