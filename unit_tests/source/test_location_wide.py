"""Location-wide reads (source_ghl_contacts/location_wide.py): the records per-contact reads give, task paging
that neither loses nor repeats a task when the list shifts, calendar passes, scopes, and which syncs use them."""

import time

import pytest
from airbyte_cdk.models import (AirbyteStateBlob, AirbyteStateMessage, AirbyteStateType, AirbyteStreamState,
                                ConfiguredAirbyteCatalogSerializer, StreamDescriptor)

from source_ghl_contacts.components.times import AppointmentTimes
from source_ghl_contacts.location_wide import appointment_record, location_wide_streams, task_record

from .builders import RATE_HEADERS, ChildResponse, Requests, SearchResponse, config
from .harness import catalog, run_read

PAGE = 4


def _task(number: int, contact: str, **extra):
    return {"_id": f"t{number:03d}", "title": f"Task {number}", "body": "b", "assignedTo": "u1",
            "dueDate": "2025-05-01T10:00:00.000Z", "completed": False, "contactId": contact, "locationId": "x",
            "deleted": False, "status": "incompleted", "dateAdded": "2025-01-01T00:00:00.000Z",
            "dateUpdated": "2025-01-01T00:00:00.000Z", "contactDetails": {"id": contact}, **extra}


def _contacts(http, count=2):
    page = SearchResponse().with_contacts(count).build()
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    return [c["id"] for c in page["contacts"]], {c["id"]: c["dateUpdated"] for c in page["contacts"]}


def _pages(http, listings):
    """Answer the task search from `listings`: the task list as GHL holds it at each request (it may change
    between requests), paged by the request's skip and limit."""
    calls = []

    def answer(request, context):
        body = request.json()
        listing = listings[min(len(calls), len(listings) - 1)]
        calls.append(body)
        context.headers.update(RATE_HEADERS)
        return {"tasks": listing[body["skip"]:body["skip"] + body["limit"]], "traceId": "t"}

    http.post(Requests.tasks_search, json=answer)
    return calls


def _task_ids(out):
    return [m.record.data["id"] for m in out.records if m.record.stream == "tasks"]


def test_task_records_are_the_per_contact_records():
    item = _task(1, "c1")
    assert task_record(item, "2025-01-02T00:01:00.000Z", "loc") == {
        "id": "t001", "title": "Task 1", "body": "b", "assignedTo": "u1", "dueDate": "2025-05-01T10:00:00.000Z",
        "completed": False, "contactId": "c1", "contactDateUpdated": "2025-01-02T00:01:00.000Z", "locationId": "loc"}


def test_appointment_records_are_the_per_contact_records():
    event = {"id": "e1", "address": "Office", "title": "Call", "calendarId": "cal", "locationId": "loc",
             "contactId": "c1", "groupId": "g", "appointmentStatus": "confirmed", "assignedUserId": "u1",
             "users": ["u1"], "notes": "n", "description": "n", "isRecurring": False, "status": "booked",
             "startTime": "2024-10-28T04:30:00+05:30", "endTime": "2024-10-28T05:00:00+05:30",
             "dateAdded": "2024-08-25T13:50:39+02:00", "dateUpdated": "2024-08-25T13:50:39+02:00",
             "assignedResources": []}
    per_contact = {**{k: v for k, v in event.items() if k not in ("description", "isRecurring")},
                   "startTime": "2024-10-27 23:00:00", "endTime": "2024-10-27 23:30:00",
                   "dateAdded": "2024-08-25T11:50:39.848Z", "dateUpdated": "2024-08-25T11:50:39.848Z"}
    AppointmentTimes(config={}, parameters={}).transform(per_contact)
    per_contact["contactDateUpdated"] = "2025-01-02T00:01:00.000Z"
    assert appointment_record(event, "2025-01-02T00:01:00.000Z") == per_contact
    assert per_contact["startTime"] == "2024-10-27T23:00:00Z" and per_contact["dateAdded"] == "2024-08-25T11:50:39Z"


def test_tasks_read_location_wide_skip_deleted_and_unknown_contacts(http):
    ids, updated = _contacts(http)
    listing = [_task(1, ids[0]), _task(2, ids[1], deleted=True), _task(3, "not-read-contact"), _task(4, ids[1])]
    calls = _pages(http, [listing])
    out = run_read(config(page_size=PAGE), ["tasks"])
    records = {m.record.data["id"]: m.record.data for m in out.records}
    assert sorted(records) == ["t001", "t004"]
    assert records["t004"]["contactDateUpdated"] == updated[ids[1]]
    assert not [r for r in http.request_history if "/contacts/c" in r.url]  # no per-contact request
    # Page 2 starts at the anchor (the last task of page 1) and holds nothing after it: the end.
    assert [c["skip"] for c in calls] == [0, 3]


def test_tasks_inserted_ahead_during_paging_are_not_repeated(http):
    ids, _ = _contacts(http)
    tasks = [_task(n, ids[n % 2]) for n in range(1, 11)]
    new = [_task(n, ids[0]) for n in (101, 102)]
    # Newest first: two tasks created between page 1 and page 2 push everything two places down.
    calls = _pages(http, [tasks, new + tasks])
    out = run_read(config(page_size=PAGE), ["tasks"])
    emitted = _task_ids(out)
    assert len(emitted) == len(set(emitted))
    assert set(emitted) >= {t["_id"] for t in tasks}
    assert len(calls) >= 3


def test_tasks_removed_ahead_during_paging_make_the_paging_start_again(http):
    ids, _ = _contacts(http)
    tasks = [_task(n, ids[n % 2]) for n in range(1, 11)]
    # Between page 1 and page 2 the first three tasks leave the list: the anchor (task 4) is not on page 2.
    calls = _pages(http, [tasks, tasks[3:]])
    out = run_read(config(page_size=PAGE), ["tasks"])
    emitted = _task_ids(out)
    assert len(emitted) == len(set(emitted))
    assert set(emitted) == {t["_id"] for t in tasks}  # tasks 5 and 6 would have slipped past a plain skip
    assert [c["skip"] for c in calls][:3] == [0, 3, 0]
    assert any("paging again from the top" in m.log.message for m in out.logs)


def test_a_task_list_that_never_holds_still_fails_the_stream(http):
    ids, _ = _contacts(http)
    lists = [[_task(n + shift, ids[0]) for n in range(1, 9)] for shift in range(0, 400, 40)]
    _pages(http, lists)
    out = run_read(config(page_size=PAGE), ["tasks"], expecting_exception=True)
    assert any("kept changing order" in (m.trace.error.message or "") for m in out.errors)


def test_the_location_wide_and_the_declarative_streams_are_read_at_once(http):
    """No stream's requests wait for another stream's: GHL's window lets the first 100 requests go at once, so
    a read is as fast as its first seconds. Read one after the other, the notes would be asked for only after
    the task listing's last page; read at once, they come while it is paged (two seconds of pages)."""
    ids, _ = _contacts(http)
    for contact in ids:
        http.get(Requests.child(contact, "notes"), json=ChildResponse("notes").for_contact(contact, 1).build(),
                 headers=RATE_HEADERS)
    tasks = [_task(n, ids[n % 2]) for n in range(1, 61)]

    def task_pages(request, context):
        time.sleep(0.1)  # a slow listing (requests-mock answers one request at a time, so no longer)
        body = request.json()
        context.headers.update(RATE_HEADERS)
        return {"tasks": tasks[body["skip"]:body["skip"] + body["limit"]], "traceId": "t"}

    http.post(Requests.tasks_search, json=task_pages)
    out = run_read(config(page_size=PAGE), ["tasks", "notes"])
    order = [r.path for r in http.request_history]
    last_task_page = max(i for i, path in enumerate(order) if path.endswith("/tasks/search"))
    first_notes = min(i for i, path in enumerate(order) if path.endswith("/notes"))
    assert first_notes < last_task_page, order
    assert {m.record.data["id"] for m in out.records if m.record.stream == "tasks"} == {t["_id"] for t in tasks}
    assert len([m for m in out.records if m.record.stream == "notes"]) == len(ids)


def _calendars(http, events_by_pass):
    http.get(Requests.calendars, json={"calendars": [{"id": "calA"}, {"id": "calB"}]}, headers=RATE_HEADERS)
    seen = []

    def answer(request, context):
        calendar = request.qs["calendarid"][0] if "calendarid" in request.qs else request.qs["calendarId"][0]
        seen.append(calendar)
        number = (len(seen) - 1) // 2
        context.headers.update(RATE_HEADERS)
        return {"events": events_by_pass[min(number, len(events_by_pass) - 1)].get(calendar.lower(), []),
                "traceId": "t"}

    http.get(Requests.events, json=answer)
    return seen


def _event(event_id, contact, calendar):
    return {"id": event_id, "calendarId": calendar, "locationId": "loc", "contactId": contact,
            "startTime": "2025-03-01T10:00:00+00:00", "endTime": "2025-03-01T10:30:00+00:00",
            "dateAdded": "2025-01-01T00:00:00+00:00", "dateUpdated": "2025-01-01T00:00:00+00:00"}


def test_an_appointment_moved_between_calendars_mid_read_is_found_in_the_next_pass(http):
    ids, _ = _contacts(http)
    a, b = _event("e1", ids[0], "calA"), _event("e2", ids[1], "calB")
    moved = {**b, "calendarId": "calA"}
    # Pass 1: calA read before e2 moves there, calB read after it left: e2 is in neither. Pass 2 finds it.
    seen = _calendars(http, [{"cala": [a], "calb": []}, {"cala": [a, moved], "calb": []}, {"cala": [a, moved]}])
    out = run_read(config(), ["appointments"])
    records = {m.record.data["id"]: m.record.data for m in out.records}
    assert sorted(records) == ["e1", "e2"] and records["e2"]["calendarId"] == "calA"
    assert len(seen) == 6  # pass 2 found e2, pass 3 found nothing new


def test_events_are_read_over_one_window_per_calendar_and_two_passes_when_nothing_moves(http):
    ids, _ = _contacts(http)
    seen = _calendars(http, [{"cala": [_event("e1", ids[0], "calA"), _event("e9", "someone-else", "calA")]}])
    out = run_read(config(), ["appointments"])
    assert [m.record.data["id"] for m in out.records] == ["e1"]
    assert len(seen) == 4
    windows = {(r.qs["starttime"][0], r.qs["endtime"][0]) for r in http.request_history if "/calendars/events" in r.url}
    assert windows == {("0", "253402300799999")}


def test_without_the_scopes_both_streams_are_read_per_contact_with_one_line_each(http):
    page = SearchResponse().with_contacts(1).build()
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    contact = page["contacts"][0]["id"]
    http.get(Requests.child(contact, "tasks"), json={"tasks": [{"id": "t1", "contactId": contact}], "traceId": "t"})
    http.get(Requests.child(contact, "appointments"), json={"events": [], "traceId": "t"})
    out = run_read(config(), ["tasks", "appointments"])
    assert [m.record.data["id"] for m in out.records] == ["t1"]
    # the two streams are read at once, so their lines come in either order
    lines = sorted(m.log.message for m in out.logs if "are read per contact" in m.log.message)
    assert len(lines) == 2
    assert lines[0].startswith("appointments are read per contact") and "'calendars.readonly'" in lines[0]
    assert lines[1].startswith("tasks are read per contact") and "'locations/tasks.readonly'" in lines[1]


def _state(stream, value):
    return AirbyteStateMessage(type=AirbyteStateType.STREAM, stream=AirbyteStreamState(
        stream_descriptor=StreamDescriptor(name=stream), stream_state=AirbyteStateBlob(**value)))


@pytest.mark.parametrize("settings, incremental, state, wide", [
    ({}, True, [], ["tasks", "appointments"]),                                  # first sync
    ({}, True, [("tasks", {"parent_state": {}})], ["appointments"]),            # tasks has state: changed only
    ({}, False, [("tasks", {"parent_state": {}})], ["tasks", "appointments"]),  # a full-refresh selection
    ({"children_mode": "all_contacts"}, True, [("tasks", {"a": 1}), ("appointments", {"a": 1})],
     ["tasks", "appointments"]),
])
def test_which_syncs_read_location_wide(settings, incremental, state, wide):
    configured = ConfiguredAirbyteCatalogSerializer.load(
        catalog("contacts", "tasks", "notes", "appointments", incremental=incremental))
    assert location_wide_streams(settings, configured, [_state(*s) for s in state]) == wide
