import requests

from destination_ghl_contacts.appointments import write_appointments
from destination_ghl_contacts.notes import write_notes
from destination_ghl_contacts.tags import write_tags
from destination_ghl_contacts.tasks import write_tasks

from .conftest import BASE, item

TASKS = BASE + "/contacts/c1/tasks"
TASK = {"rankrId": "rk_t_000001", "contactRankrId": "rk_c_000001", "title": "Call back",
        "dueDate": "2026-12-03T10:00:00-05:00", "status": "open", "body": "Ask about pricing."}
GHL_TASK = {"id": "t1", "title": "Call back", "body": "Ask about pricing.\n\n[rankr:rk_t_000001]",
            "dueDate": "2026-12-03T15:00:00.000Z", "completed": False, "contactId": "c1"}


def outcomes(results):
    return [o.action for _, o in results]


def test_a_new_task_carries_its_marker(mock, make_ctx):
    mock.get(TASKS, json={"tasks": []})
    mock.post(TASKS, status_code=201, json={"task": {"id": "t1"}})
    assert outcomes(write_tasks(make_ctx(), "c1", [item("tasks", TASK)])) == ["created"]
    assert mock.request_history[-1].json() == {"title": "Call back", "body": GHL_TASK["body"],
                                               "dueDate": "2026-12-03T15:00:00Z", "completed": False}


def test_a_task_found_by_its_marker_is_unchanged(mock, make_ctx):
    mock.get(TASKS, json={"tasks": [GHL_TASK]})
    assert outcomes(write_tasks(make_ctx(), "c1", [item("tasks", TASK)])) == ["unchanged"]
    assert len(mock.request_history) == 1


def test_a_changed_task_is_put_and_completed_through_its_route(mock, make_ctx):
    mock.get(TASKS, json={"tasks": [GHL_TASK]})
    mock.put(TASKS + "/t1", json={"task": {}})
    mock.put(TASKS + "/t1/completed", json={"task": {}})
    changed = dict(TASK, title="Call back today", status="completed")
    assert outcomes(write_tasks(make_ctx(), "c1", [item("tasks", changed)])) == ["updated"]
    put, completed = mock.request_history[1:]
    assert put.json()["title"] == "Call back today" and "completed" not in put.json()
    assert completed.json() == {"completed": True}


def test_two_tasks_with_one_marker_are_ambiguous_and_nothing_is_changed(mock, make_ctx):
    mock.get(TASKS, json={"tasks": [GHL_TASK, dict(GHL_TASK, id="t2")]})
    [(_, outcome)] = write_tasks(make_ctx(), "c1", [item("tasks", dict(TASK, title="x"))])
    assert outcome.action == "rejected" and "t1" in outcome.reason and "t2" in outcome.reason
    assert len(mock.request_history) == 1


def test_a_lost_task_create_is_found_by_its_marker(mock, make_ctx):
    mock.get(TASKS, [{"json": {"tasks": []}}, {"json": {"tasks": [GHL_TASK]}}])
    mock.post(TASKS, exc=requests.exceptions.ConnectionError)
    assert outcomes(write_tasks(make_ctx(), "c1", [item("tasks", TASK)])) == ["created"]
    assert sum(r.method == "POST" for r in mock.request_history) == 1


def test_two_versions_of_one_task_in_one_batch_update_the_task_created_first(mock, make_ctx):
    mock.get(TASKS, json={"tasks": []})
    mock.post(TASKS, status_code=201, json={"task": GHL_TASK})
    mock.put(TASKS + "/t1/completed", json={"task": {}})
    done = dict(TASK, status="completed")
    assert outcomes(write_tasks(make_ctx(), "c1", [item("tasks", TASK), item("tasks", done, 2)])) == ["created", "updated"]


def test_a_note_is_created_then_found_again(mock, make_ctx):
    note = {"rankrId": "rk_n_000001", "contactId": "c1", "body": "Prefers SMS."}
    mock.get(BASE + "/contacts/c1/notes", json={"notes": [{"id": "n1", "body": "Prefers SMS.\n\n[rankr:rk_n_000001]"}]})
    assert outcomes(write_notes(make_ctx(), "c1", [item("notes", note)])) == ["unchanged"]


def test_tags_are_added_in_one_call_per_contact(mock, make_ctx):
    mock.get(BASE + "/contacts/c1", json={"contact": {"id": "c1", "tags": ["vip"]}})
    mock.post(BASE + "/contacts/c1/tags", status_code=201, json={"tags": []})
    records = [item("tags", {"rankrId": "rk_g_1", "contactId": "c1", "tags": ["VIP"]}),
               item("tags", {"rankrId": "rk_g_2", "contactId": "c1", "tags": ["hot", "webinar"]}, 2)]
    assert outcomes(write_tags(make_ctx(), "c1", records)) == ["unchanged", "updated"]
    assert mock.request_history[-1].json() == {"tags": ["hot", "webinar"]}
    assert not any(r.method == "PUT" for r in mock.request_history)


def test_an_appointment_is_booked_on_the_default_calendar_with_its_first_team_member(mock, make_ctx):
    mock.get(BASE + "/contacts/c1/appointments", json={"events": []})
    mock.get(BASE + "/calendars/", json={"calendars": [{"id": "cal1", "teamMembers": [{"userId": "u1"}]}]})
    mock.post(BASE + "/calendars/events/appointments", json={"id": "a1"})
    record = {"rankrId": "rk_a_000001", "contactId": "c1", "title": "Demo", "status": "confirmed",
              "startTime": "2026-12-01T15:00:00-05:00", "endTime": "2026-12-01T15:30:00-05:00"}
    assert outcomes(write_appointments(make_ctx(default_calendar_id="cal1"), "c1", [item("appointments", record)])) == ["created"]
    booked = mock.request_history[-1]
    assert booked.headers["Version"] == "2021-04-15"
    assert booked.json()["assignedUserId"] == "u1" and booked.json()["calendarId"] == "cal1"


def test_an_appointment_without_a_calendar_is_rejected(make_ctx):
    record = {"rankrId": "rk_a_000001", "contactId": "c1", "title": "Demo", "status": "confirmed",
              "startTime": "2026-12-01T15:00:00-05:00", "endTime": "2026-12-01T15:30:00-05:00"}
    [(_, outcome)] = write_appointments(make_ctx(), "c1", [item("appointments", record)])
    assert outcome.action == "rejected" and "default_calendar_id" in outcome.reason


# -- a contact this sync created starts without tasks and notes ------------------------------------------

def test_the_first_tasks_of_a_contact_this_sync_created_are_written_without_listing_it(mock, make_ctx):
    ctx = make_ctx()
    ctx.buffer.mark_new("c1", ["tasks", "notes"])
    mock.get(TASKS, json={"tasks": []})
    mock.post(TASKS, status_code=201, json={"task": GHL_TASK})
    mock.put(TASKS + "/t1/completed", json={"task": {}})
    done = dict(TASK, status="completed")
    assert outcomes(write_tasks(ctx, "c1", [item("tasks", TASK), item("tasks", done, 2)])) == ["created", "updated"]
    assert [r.method for r in mock.request_history] == ["POST", "PUT"]  # no GET of the new contact's tasks


def test_a_later_writer_of_a_new_contacts_tasks_reads_what_the_first_wrote(mock, make_ctx):
    """Two batches of one sync: the second lists GHL, so the task the first created is not created again."""
    ctx = make_ctx()
    ctx.buffer.mark_new("c1", ["tasks", "notes"])
    mock.post(TASKS, status_code=201, json={"task": GHL_TASK})
    mock.get(TASKS, json={"tasks": [GHL_TASK]})
    assert outcomes(write_tasks(ctx, "c1", [item("tasks", TASK)])) == ["created"]
    assert outcomes(write_tasks(ctx, "c1", [item("tasks", TASK, 2)])) == ["unchanged"]
    assert [r.method for r in mock.request_history] == ["POST", "GET"]


def test_a_new_contacts_notes_skip_their_listing_once_and_other_contacts_are_listed(mock, make_ctx):
    ctx = make_ctx()
    ctx.buffer.mark_new("c1", ["tasks", "notes"])
    note = {"rankrId": "rk_n_000001", "contactId": "c1", "body": "Prefers SMS."}
    for contact in ("c1", "c2"):
        mock.get(BASE + f"/contacts/{contact}/notes", json={"notes": []})
        mock.post(BASE + f"/contacts/{contact}/notes", status_code=201, json={"note": {"id": "n-" + contact}})
    assert outcomes(write_notes(ctx, "c1", [item("notes", note)])) == ["created"]
    assert outcomes(write_notes(ctx, "c2", [item("notes", dict(note, contactId="c2"))])) == ["created"]
    assert [(r.method, r.path) for r in mock.request_history] == [
        ("POST", "/contacts/c1/notes"), ("GET", "/contacts/c2/notes"), ("POST", "/contacts/c2/notes")]


def test_a_task_naming_a_ghl_id_on_a_new_contact_still_lists_it(mock, make_ctx):
    ctx = make_ctx()
    ctx.buffer.mark_new("c1", ["tasks"])
    mock.get(TASKS, json={"tasks": [GHL_TASK]})
    assert outcomes(write_tasks(ctx, "c1", [item("tasks", dict(TASK, ghlId="t1"))])) == ["unchanged"]
    assert [r.method for r in mock.request_history] == ["GET"]
