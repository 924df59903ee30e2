"""A contact the sync creates is written without listing its tasks and notes first (it has none), while every
later writer of them, a contact that already existed and a replay still list: the requests by route prove
it, and the landed tasks and notes prove nothing was created twice."""

from __future__ import annotations

import json
import re

import pytest

from . import harness
from .harness import config, run

STREAMS = {"contacts": "leads", "tasks": "todos", "notes": "comments", "appointments": "", "tags": ""}
LEAD = {"id": 1, "email": "new.lead.1@example.com", "firstName": "New", "lastName": "Lead"}
TASKS, NOTES = "GET /contacts/{contactId}/tasks", "GET /contacts/{contactId}/notes"


def _stream(name):
    return {"stream": {"name": name, "json_schema": {"type": "object"}, "supported_sync_modes": ["full_refresh"]},
            "sync_mode": "full_refresh", "destination_sync_mode": "append_dedup", "primary_key": [["id"]]}


CATALOG = {"streams": [_stream("leads"), _stream("todos"), _stream("comments")]}


def _todo(n, contact, status="open"):
    return {"id": n, **contact, "title": f"Todo {n}", "dueDate": "2026-12-10T09:00:00Z", "status": status}


def _lines(existing_id):
    """Three flushes (one per STATE): the new lead; its first task and note, and a task on a contact that
    already existed; a second task of the lead and its first task again, completed."""
    by_email = {"contactEmail": LEAD["email"]}
    flushes = [[("leads", LEAD)],
               [("todos", _todo(1, by_email)), ("comments", {"id": 1, **by_email, "body": "First call"}),
                ("todos", _todo(3, {"contactId": existing_id}))],
               [("todos", _todo(2, by_email)), ("todos", _todo(1, by_email, status="completed"))]]
    lines = []
    for position, records in enumerate(flushes, start=1):
        lines += [json.dumps({"type": "RECORD", "record": {"stream": s, "data": d, "emitted_at": 1767225600000}})
                  for s, d in records]
        lines.append(json.dumps({"type": "STATE", "state": {"type": "GLOBAL", "global": {
            "shared_state": {"position": position}, "stream_states": []}}}))
    return lines


@pytest.fixture(scope="module")
def sandbox():
    from ghl_sandbox.process import SandboxProcess

    with SandboxProcess(seed=12, **harness.FAST) as sb:
        yield sb


def _write(sandbox, lines):
    sandbox.reset_stats()
    result = run("write", config(sandbox, streams=STREAMS), lines, catalog=CATALOG)
    assert result.returncode == 0 and not result.rejections, (result.rejections, result.stderr[-2000:])
    return result, sandbox.stats()["by_route"]


def _lead_children(sandbox):
    dump = sandbox.dump()
    lead = next(c for c in dump["contacts"] if c.get("email") == LEAD["email"])
    tasks = {re.search(r"\[key:(\d+)\]", t["body"]).group(1): t for t in dump["tasks"] if t["contactId"] == lead["id"]}
    notes = [n for n in dump["notes"] if n["contactId"] == lead["id"]]
    return tasks, notes


def test_a_new_contact_is_not_listed_before_its_first_tasks_and_notes_and_nothing_lands_twice(sandbox):
    existing = sorted(c["id"] for c in sandbox.dump()["contacts"])[0]
    lines = _lines(existing)
    first, routes = _write(sandbox, lines)
    # the existing contact's tasks (second flush) and the lead's tasks in the third flush, which then hold
    # what the second wrote; never the new lead's first tasks or notes
    assert sum(routes.get(TASKS, {}).values()) == 2, routes
    assert NOTES not in routes, routes
    tasks, notes = _lead_children(sandbox)
    assert sorted(tasks) == ["1", "2"] and tasks["1"]["completed"] is True and tasks["2"]["completed"] is False
    assert len(notes) == 1

    replay, routes = _write(sandbox, lines)
    assert not re.search(r"created=[1-9]", replay.summary), replay.summary
    assert sum(routes.get(NOTES, {}).values()) == 1, routes  # a replay finds the lead, so it lists
    tasks, notes = _lead_children(sandbox)
    assert sorted(tasks) == ["1", "2"] and len(notes) == 1
