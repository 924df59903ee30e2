from destination_ghl_contacts.mapping import contact_create_body, rename, task_body
from destination_ghl_contacts.validation import problem


def test_a_valid_contact_passes():
    assert problem("contacts", {"rankrId": "rk_c_1", "email": "a@b.co", "firstName": "A", "lastName": "B"}) is None


def test_reasons_name_the_field():
    assert problem("contacts", {"rankrId": "rk_c_1", "firstName": "A", "lastName": "B"}) == "email: is required"
    assert "UTC offset" in problem("tasks", {"rankrId": "rk_t_1", "contactId": "c", "title": "t",
                                             "dueDate": "2026-12-03T10:00:00", "status": "open"})
    assert "not one of" in problem("tasks", {"rankrId": "rk_t_1", "contactId": "c", "title": "t",
                                             "dueDate": "2026-12-03T10:00:00Z", "status": "done"})
    assert "contact reference" in problem("notes", {"rankrId": "rk_n_1", "body": "x"})
    assert problem("appointments", {"rankrId": "rk_a_1", "contactId": "c", "title": "t", "status": "new",
                                     "startTime": "2026-12-03T10:00:00Z", "endTime": "2026-12-03T09:00:00Z"}) \
        == "endTime: must be after startTime"


def test_a_cdc_delete_needs_only_its_key():
    assert problem("contacts", {"email": "a@b.co", "_ab_cdc_deleted_at": "2026-01-01T00:00:00Z"}) is None
    assert problem("contacts", {"deleted": True}) is not None


def test_field_mappings_rename_before_validation_including_custom_fields():
    record = {"mail": "a@b.co", "score": 5, "customFields": {"old": 1}, "noise": "x"}
    out = rename(record, {"mail": "email", "score": "customFields.id:F1", "customFields.old": "customFields.new",
                          "noise": ""})
    assert out == {"email": "a@b.co", "customFields": {"id:F1": 5, "new": 1}}


def test_bodies_hold_only_fields_ghl_declares():
    record = {"rankrId": "rk_c_1", "email": "A@B.co", "firstName": "A", "lastName": "B", "updatedAt": "x",
              "customFields": {"id:F1": 5, "lead_score": 7}, "somethingElse": 1}
    body = contact_create_body(record, "loc", "rankr_id")
    assert set(body) == {"locationId", "email", "firstName", "lastName", "customFields"}
    assert body["customFields"] == [{"id": "F1", "field_value": 5}, {"key": "lead_score", "field_value": 7},
                                    {"key": "rankr_id", "field_value": "rk_c_1"}]
    task = task_body({"rankrId": "rk_t_1", "title": "t", "dueDate": "2026-12-03T10:00:00.123-05:00",
                      "status": "completed"})
    assert task == {"title": "t", "body": "[rankr:rk_t_1]", "dueDate": "2026-12-03T15:00:00Z", "completed": True}
