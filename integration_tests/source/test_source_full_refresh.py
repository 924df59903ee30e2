"""A full sync of a seeded location equals the sandbox's ground truth: no record lost, none extra."""

from .harness import catalog, pit_config, run_source

# The contacts stream emits GHL's search records; these fields mean the same in the search and GET shapes.
SHARED_CONTACT_FIELDS = (
    "id", "locationId", "firstName", "lastName", "email", "phone", "companyName", "businessId", "city", "state",
    "postalCode", "country", "website", "timezone", "source", "type", "dnd", "assignedTo", "tags", "customFields",
    "dateAdded", "dateUpdated",
)


def _by_id(records):
    return {record["id"]: record for record in records}


def assert_contacts_match(emitted, truth):
    emitted, truth = _by_id(emitted), _by_id(truth)
    assert emitted.keys() == truth.keys()
    for contact_id, expected in truth.items():
        got = emitted[contact_id]
        for name in SHARED_CONTACT_FIELDS:
            assert got.get(name) == expected.get(name), (contact_id, name)
        assert got.get("address") == expected.get("address1"), contact_id
        # search gives epoch ms, GET an ISO date-time: the source emits the date
        assert got.get("dateOfBirth") == (expected["dateOfBirth"][:10] if expected.get("dateOfBirth") else None), contact_id
        assert "searchAfter" not in got


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
    for stream in ("tasks", "notes", "appointments"):
        assert_same_records(out.records[stream], truth[stream], truth["contacts"])
        assert all(record["contactId"] for record in out.records[stream])
    assert len(out.records["custom_fields"]) > 0
    stats = sandbox.stats()
    assert stats["rate_limited"] == 0, stats
    assert stats["peak_requests_10s"] <= 100
    assert any(line.startswith("Finished notes:") for line in out.logs)


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
