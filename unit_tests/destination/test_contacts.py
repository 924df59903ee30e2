import requests

from destination_ghl_contacts.contacts import changed_fields, write_contact

from .conftest import BASE, item

DUP = BASE + "/contacts/search/duplicate"
RECORD = {"rankrId": "rk_c_000001", "email": "Ava@Example.com", "firstName": "Ava", "lastName": "Chen",
          "tags": ["rankr"], "customFields": {"lead_score": 70}}


def test_a_new_contact_is_created_once_with_its_tags(mock, make_ctx):
    ctx = make_ctx()
    mock.get(DUP, json={"contact": None})
    mock.post(BASE + "/contacts/", status_code=201, json={"contact": {"id": "c1"}})
    outcome = write_contact(ctx, item("contacts", RECORD))
    assert (outcome.action, outcome.ghl_id) == ("created", "c1")
    body = mock.request_history[-1].json()
    assert body == {"locationId": "loc1", "firstName": "Ava", "lastName": "Chen", "email": "ava@example.com",
                    "customFields": [{"key": "lead_score", "field_value": 70}], "tags": ["rankr"]}
    assert ctx.buffer.contact_for_rankr("rk_c_000001") == "c1"


def test_an_unchanged_contact_is_not_written(mock, make_ctx):
    ctx = make_ctx()
    mock.get(BASE + "/locations/loc1/customFields", json={"customFields": [{"id": "f1", "fieldKey": "contact.lead_score"}]})
    mock.get(DUP, json={"contact": {"id": "c1", "email": "ava@example.com", "firstName": "Ava", "lastName": "Chen",
                                    "tags": ["rankr", "vip"], "customFields": [{"id": "f1", "value": 70}]}})
    assert write_contact(ctx, item("contacts", RECORD)).action == "unchanged"
    assert [r.method for r in mock.request_history] == ["GET", "GET"]


def test_an_update_sends_only_what_changed_and_adds_missing_tags_without_put(mock, make_ctx):
    ctx = make_ctx()
    mock.get(BASE + "/locations/loc1/customFields", json={"customFields": []})
    mock.get(DUP, json={"contact": {"id": "c1", "email": "ava@example.com", "firstName": "Eva", "lastName": "Chen", "tags": []}})
    mock.put(BASE + "/contacts/c1", json={"succeded": True, "contact": {}})
    mock.post(BASE + "/contacts/c1/tags", status_code=201, json={"tags": ["rankr"]})
    assert write_contact(ctx, item("contacts", RECORD)).action == "updated"
    put = next(r for r in mock.request_history if r.method == "PUT")
    assert put.json() == {"firstName": "Ava"}  # no tags on PUT: GHL would replace them all
    assert mock.request_history[-1].json() == {"tags": ["rankr"]}


def test_a_duplicate_answer_resolves_to_the_existing_contact(mock, make_ctx):
    ctx = make_ctx()
    mock.get(DUP, json={"contact": None})
    mock.post(BASE + "/contacts/", status_code=400, json={
        "statusCode": 400, "message": "This location does not allow duplicated contacts.",
        "meta": {"contactId": "c9", "matchingField": "phone"}})
    mock.get(BASE + "/contacts/c9", json={"contact": {"id": "c9", "email": "ava@example.com", "firstName": "Ava",
                                                      "lastName": "Chen", "tags": ["rankr"]}})
    mock.get(BASE + "/locations/loc1/customFields", status_code=401,
             json={"message": "The token is not authorized for this scope."})
    mock.put(BASE + "/contacts/c9", json={"succeded": True})
    outcome = write_contact(ctx, item("contacts", RECORD))
    assert (outcome.action, outcome.ghl_id) == ("updated", "c9")


def test_a_422_rejects_the_record_with_ghls_message(mock, make_ctx):
    ctx = make_ctx()
    mock.get(DUP, json={"contact": None})
    mock.post(BASE + "/contacts/", status_code=422, json={"statusCode": 422, "message": ["phone must be valid"]})
    outcome = write_contact(ctx, item("contacts", RECORD))
    assert outcome.action == "rejected" and "phone must be valid" in outcome.reason


def test_a_lost_create_is_checked_before_it_is_sent_again(mock, make_ctx):
    ctx = make_ctx()
    mock.get(DUP, [{"json": {"contact": None}}, {"json": {"contact": {"id": "c1"}}}])
    mock.post(BASE + "/contacts/", exc=requests.exceptions.ReadTimeout)
    outcome = write_contact(ctx, item("contacts", RECORD))
    assert (outcome.action, outcome.ghl_id) == ("created", "c1")
    assert sum(r.method == "POST" for r in mock.request_history) == 1


def test_a_lost_create_that_ghl_does_not_have_is_sent_again(mock, make_ctx, monkeypatch):
    monkeypatch.setattr("destination_ghl_contacts.ghl.time.sleep", lambda s: None)
    ctx = make_ctx()
    mock.get(DUP, json={"contact": None})
    mock.post(BASE + "/contacts/", [{"status_code": 502, "text": "<html>"},
                                    {"status_code": 201, "json": {"contact": {"id": "c1"}}}])
    assert write_contact(ctx, item("contacts", RECORD)).ghl_id == "c1"
    assert sum(r.method == "POST" for r in mock.request_history) == 2


def test_update_only_rejects_a_contact_ghl_does_not_have(mock, make_ctx):
    ctx = make_ctx(contact_write_mode="update_only")
    mock.get(DUP, json={"contact": None})
    outcome = write_contact(ctx, item("contacts", RECORD))
    assert outcome.action == "rejected" and "update_only" in outcome.reason


def test_create_only_leaves_an_existing_contact_alone(mock, make_ctx):
    ctx = make_ctx(contact_write_mode="create_only")
    mock.get(DUP, json={"contact": {"id": "c1", "firstName": "Someone else"}})
    assert write_contact(ctx, item("contacts", RECORD)).action == "unchanged"
    assert all(r.method == "GET" for r in mock.request_history)


def test_dry_run_writes_nothing(mock, make_ctx):
    ctx = make_ctx(dry_run=True)
    mock.get(DUP, json={"contact": None})
    assert write_contact(ctx, item("contacts", RECORD)).action == "created"
    assert all(r.method == "GET" for r in mock.request_history)


def test_deletes_respect_the_opt_in_and_the_cap(mock, make_ctx):
    deleted = dict(RECORD, _ab_cdc_deleted_at="2026-01-01T00:00:00Z")
    off = make_ctx()
    assert write_contact(off, item("contacts", deleted)).action == "unchanged"
    assert mock.request_history == []
    on = make_ctx(deletes_enabled=True, max_deletes_per_sync=1)
    mock.get(DUP, json={"contact": {"id": "c1"}})
    mock.delete(BASE + "/contacts/c1", json={"succeded": True})
    assert write_contact(on, item("contacts", deleted)).action == "deleted"
    second = write_contact(on, item("contacts", deleted))
    assert second.action == "rejected" and "max_deletes_per_sync" in second.reason


def test_phone_and_birthday_compare_as_ghl_stores_them():
    have = {"phone": "+15125550100", "dateOfBirth": "1990-04-01T00:00:00.000Z", "email": "a@b.co"}
    assert changed_fields(have, {"phone": "+1 (512) 555-0100", "dateOfBirth": "1990-04-01", "email": "A@b.co"}, {}) == {}


def test_a_custom_field_value_that_does_not_fit_its_type_is_rejected_before_any_write(mock, make_ctx):
    ctx = make_ctx()
    outcome = write_contact(ctx, item("contacts", dict(RECORD, customFields={"lead_score": "very high"})))
    assert outcome.rejected and "customFields.lead_score: 'very high' does not fit" in outcome.reason
    assert [r.path for r in mock.request_history] == ["/locations/loc1/customfields"]


def test_only_a_contact_this_sync_created_is_known_to_have_no_tasks_or_notes(mock, make_ctx):
    ctx = make_ctx()
    mock.get(DUP, json={"contact": None})
    mock.post(BASE + "/contacts/", status_code=201, json={"contact": {"id": "c1"}})
    assert write_contact(ctx, item("contacts", RECORD)).action == "created"
    found = make_ctx()  # a replay: the contact is found, so its tasks and notes must be listed
    mock.get(DUP, json={"contact": {"id": "c1", "email": "ava@example.com", "firstName": "Ava", "lastName": "Chen",
                                    "tags": ["rankr"], "customFields": [{"id": "f1", "value": 70}]}})
    assert write_contact(found, item("contacts", RECORD)).action == "unchanged"
    assert [ctx.buffer.take_new("c1", obj) for obj in ("tasks", "notes", "tasks")] == [True, True, False]
    assert not found.buffer.take_new("c1", "tasks")


def test_a_contact_found_after_a_lost_create_answer_is_listed(mock, make_ctx):
    ctx = make_ctx()
    mock.get(DUP, [{"json": {"contact": None}},
                   {"json": {"contact": {"id": "c1", "email": "ava@example.com", "firstName": "Ava",
                                         "lastName": "Chen", "tags": ["rankr"]}}}])
    mock.post(BASE + "/contacts/", exc=requests.exceptions.ConnectionError)
    assert write_contact(ctx, item("contacts", RECORD)).ghl_id == "c1"
    assert not ctx.buffer.take_new("c1", "tasks")
