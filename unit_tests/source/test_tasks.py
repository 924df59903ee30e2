"""tasks: one GET /contacts/{id}/tasks per contact; records carry contactId; deleted contacts are skipped."""

from .builders import RATE_HEADERS, ChildResponse, Requests, SearchResponse, config, error
from .harness import run_read


def _contacts(http, count):
    page = SearchResponse().with_contacts(count).build()
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    return [c["id"] for c in page["contacts"]]


def test_tasks_of_every_contact_carry_its_contact_id(http):
    ids = _contacts(http, 2)
    http.get(Requests.child(ids[0], "tasks"), json=ChildResponse("tasks").for_contact(ids[0], 2, without_contact_id=True).build())
    http.get(Requests.child(ids[1], "tasks"), json=ChildResponse("tasks").for_contact(ids[1], 1).build())
    out = run_read(config(), ["tasks"])
    records = [m.record.data for m in out.records]
    assert sorted((r["contactId"], r["id"]) for r in records) == sorted(
        [(ids[0], r["id"]) for r in ChildResponse("tasks").for_contact(ids[0], 2).build()["tasks"]]
        + [(ids[1], r["id"]) for r in ChildResponse("tasks").for_contact(ids[1], 1).build()["tasks"]]
    )


def test_a_contact_deleted_during_the_sync_is_skipped_with_a_log_line(http):
    ids = _contacts(http, 2)
    http.get(Requests.child(ids[0], "tasks"), status_code=400, json=error("contact_not_found", ids[0]))
    http.get(Requests.child(ids[1], "tasks"), json=ChildResponse("tasks").for_contact(ids[1], 1).build())
    out = run_read(config(), ["tasks"])
    assert not out.errors
    assert [m.record.data["contactId"] for m in out.records] == [ids[1]]
    assert any("deleted during the sync" in m.log.message for m in out.logs)


def test_incremental_tasks_keep_the_parent_contacts_state(http):
    ids = _contacts(http, 1)
    http.get(Requests.child(ids[0], "tasks"), json=ChildResponse("tasks").for_contact(ids[0], 1).build())
    out = run_read(config(), ["tasks"], incremental=True)
    final = out.state_messages[-1].state.stream.stream_state.__dict__
    assert final["parent_state"]["contacts"]["dateUpdated"].startswith("2025-01-02T00:01:00")


def _state_of(out, stream):
    states = [m.state.stream for m in out.state_messages if m.state.stream.stream_descriptor.name == stream]
    return states[-1].stream_state.__dict__


def _tasks_due(http, contact_id, due_date):
    body = ChildResponse("tasks").for_contact(contact_id, 1).build()
    body["tasks"][0]["dueDate"] = due_date
    http.get(Requests.child(contact_id, "tasks"), json=body)
    return body["tasks"][0]["id"]


def test_tasks_due_in_the_future_do_not_hide_the_next_syncs_changed_contacts(http):
    first_page = SearchResponse().with_contacts(2).build()
    http.post(Requests.search, json=first_page, headers=RATE_HEADERS)
    for contact in first_page["contacts"]:
        _tasks_due(http, contact["id"], "2099-12-18T21:15:00.000Z")
    first = run_read(config(lookback_window_minutes=10), ["tasks"], incremental=True)
    assert len(first.records) == 2
    state = _state_of(first, "tasks")
    assert "2099" not in str(state), state

    # next sync: one contact changed after the state, one GHL's search index showed late (its dateUpdated is
    # inside the lookback window before the saved cursor): both contacts' tasks must be read.
    changed = SearchResponse().with_contacts(1, first=20).build()["contacts"][0]
    lagging = SearchResponse().with_contacts(1, first=2, updated_from="2025-01-01T23:55:00.000Z").build()["contacts"][0]
    lagging["id"] = "c0000000000000000099"
    http.post(Requests.search, json={"contacts": [lagging, changed], "total": 2}, headers=RATE_HEADERS)
    expected = {_tasks_due(http, changed["id"], "2099-12-19T09:00:00.000Z"), _tasks_due(http, lagging["id"], "2020-01-01T00:00:00.000Z")}
    second = run_read(config(lookback_window_minutes=10), ["tasks"], incremental=True, state={"tasks": state})
    assert {m.record.data["id"] for m in second.records} == expected
    by_contact = {m.record.data["contactId"]: m.record.data for m in second.records}
    assert by_contact[changed["id"]]["contactDateUpdated"] == changed["dateUpdated"]
    assert by_contact[lagging["id"]]["contactDateUpdated"] == lagging["dateUpdated"]
    final = _state_of(second, "tasks")
    assert final["state"] == {"contactDateUpdated": "2025-01-02T00:20:00.000000Z"}
