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
