"""Several versions of one Rankr record in one sync (an append-only upstream, or a record edited back and forth
between two syncs): GHL ends with the last version, as one record."""

from __future__ import annotations

import json

import pytest

from . import harness
from .harness import config, marked, run

CONTACT = {"rankrId": "rk_c_910001", "email": "lea.vidal.910001@example.com", "firstName": "Lea", "lastName": "Vidal"}
TASK = {"rankrId": "rk_t_910001", "contactRankrId": "rk_c_910001", "title": "Call back",
        "dueDate": "2026-12-10T09:00:00Z", "status": "open"}
NOTE = {"rankrId": "rk_n_910001", "contactRankrId": "rk_c_910001", "body": "Wants a quote"}
APPOINTMENT = {"rankrId": "rk_a_910001", "contactRankrId": "rk_c_910001", "title": "Demo", "status": "confirmed",
               "startTime": "2026-12-09T14:00:00-05:00", "endTime": "2026-12-09T14:30:00-05:00"}


@pytest.fixture(scope="module")
def sandbox():
    from ghl_sandbox.process import SandboxProcess

    with SandboxProcess(seed=6, **harness.FAST) as sb:
        yield sb


def _record(stream, data):
    return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1767225600000}})


def test_a_record_changed_and_changed_back_in_one_sync_ends_as_its_last_version(sandbox):
    sandbox.reset()
    a_task, b_task = TASK, dict(TASK, title="Call back (moved)", dueDate="2026-12-11T09:00:00Z")
    a_appt, b_appt = APPOINTMENT, dict(APPOINTMENT, title="Demo (moved)", status="cancelled")
    a_note, b_note = NOTE, dict(NOTE, body="Wants a quote by Friday")
    state = json.dumps({"type": "STATE", "state": {"type": "GLOBAL", "global": {"shared_state": {"p": 1},
                                                                                "stream_states": []}}})
    lines = [_record("contacts", CONTACT)]
    for task, appointment, note in ((a_task, a_appt, a_note), (b_task, b_appt, b_note), (a_task, a_appt, a_note)):
        lines += [_record("tasks", task), _record("appointments", appointment), _record("notes", note)]
    result = run("write", config(sandbox), lines + [state])
    assert result.returncode == 0 and not result.rejections, result.stderr[-2000:]

    dump = sandbox.dump()
    tasks = [t for t in dump["tasks"] if "[rankr:rk_t_910001]" in (t.get("body") or "")]
    appointments = [a for a in dump["appointments"] if "[rankr:rk_a_910001]" in (a.get("notes") or "")]
    notes = [n for n in dump["notes"] if "[rankr:rk_n_910001]" in (n.get("body") or "")]
    assert len(tasks) == 1 and len(appointments) == 1 and len(notes) == 1
    assert notes[0]["body"].startswith("Wants a quote") and "Friday" not in notes[0]["body"]
    assert (tasks[0]["title"], tasks[0]["dueDate"][:19]) == ("Call back", "2026-12-10T09:00:00")
    assert (appointments[0]["title"], appointments[0]["appointmentStatus"]) == ("Demo", "confirmed")
    assert marked(dump, "tasks").count("rk_t_910001") == 1
