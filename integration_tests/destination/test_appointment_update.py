"""A changed Rankr appointment, written again through the console script, edits the GHL appointment booked by
the first sync (`PUT /calendars/events/appointments/{eventId}` against the sandbox) instead of booking another."""

from __future__ import annotations

import json

import pytest

from . import harness
from .harness import config, marked, run

RANKR_ID = "rk_a_900001"
PUT_ROUTE = "PUT /calendars/events/appointments/{eventId}"
CONTACT = {"rankrId": "rk_c_900001", "email": "ada.moreau.900001@example.com", "firstName": "Ada",
           "lastName": "Moreau"}
BOOKED = {"rankrId": RANKR_ID, "contactRankrId": "rk_c_900001", "title": "Onboarding session",
          "status": "confirmed", "startTime": "2026-12-07T14:00:00-05:00", "endTime": "2026-12-07T14:30:00-05:00"}


@pytest.fixture(scope="module")
def sandbox():
    from ghl_sandbox.process import SandboxProcess

    with SandboxProcess(seed=5, **harness.FAST) as sb:
        yield sb


def lines(appointment):
    def record(stream, data):
        return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1767225600000}})

    state = {"type": "STATE", "state": {"type": "GLOBAL", "global": {"shared_state": {"position": 2},
                                                                     "stream_states": []}}}
    return [record("contacts", CONTACT), record("appointments", appointment), json.dumps(state)]


def write(sandbox, appointment):
    sandbox.reset_stats()
    result = run("write", config(sandbox), lines(appointment))
    assert result.returncode == 0, result.stderr[-2000:]
    assert not result.rejections, result.rejections
    ours = [a for a in sandbox.dump()["appointments"] if f"[rankr:{RANKR_ID}]" in (a.get("notes") or "")]
    return result, ours, sandbox.stats()["by_route"]


def appointments_part(summary):
    return summary.split("appointments: ")[1].split(";")[0]


def test_a_changed_appointment_updates_the_one_ghl_booked(sandbox):
    sandbox.reset()
    first, booked, _ = write(sandbox, BOOKED)
    assert appointments_part(first.summary).startswith("created=1 updated=0")
    assert len(booked) == 1 and booked[0]["title"] == "Onboarding session"

    changed = dict(BOOKED, title="Onboarding session (moved)", status="cancelled",
                   startTime="2026-12-08T09:00:00-05:00", endTime="2026-12-08T10:00:00-05:00")
    second, after, routes = write(sandbox, changed)
    assert appointments_part(second.summary).startswith("created=0 updated=1")
    assert routes.get(PUT_ROUTE) == {"200": 1}
    assert "POST /calendars/events/appointments" not in routes
    assert len(after) == 1, after
    event = after[0]
    assert event["id"] == booked[0]["id"] and event["dateAdded"] == booked[0]["dateAdded"]
    assert (event["title"], event["appointmentStatus"]) == ("Onboarding session (moved)", "cancelled")
    # GHL lists the times in UTC, `YYYY-MM-DD HH:MM:SS`
    assert (event["startTime"], event["endTime"]) == ("2026-12-08 14:00:00", "2026-12-08 15:00:00")
    assert event["dateUpdated"] > booked[0]["dateUpdated"]
    assert marked(sandbox.dump(), "appointments").count(RANKR_ID) == 1  # the marker survives the edit

    # The same record again: nothing to change, nothing written.
    third, again, routes = write(sandbox, changed)
    assert appointments_part(third.summary).startswith("created=0 updated=0 unchanged=1")
    assert PUT_ROUTE not in routes and again == after

    # Only the start moves: the destination sends both times (what GHL does with a lone start is undocumented).
    earlier = dict(changed, startTime="2026-12-08T08:30:00-05:00")
    fourth, last, routes = write(sandbox, earlier)
    assert appointments_part(fourth.summary).startswith("created=0 updated=1")
    assert routes.get(PUT_ROUTE) == {"200": 1} and len(last) == 1
    assert (last[0]["startTime"], last[0]["endTime"]) == ("2026-12-08 13:30:00", "2026-12-08 15:00:00")


def _ghl(sandbox, method, path, **kwargs):
    import requests

    token = sandbox.credentials["private_integration_tokens"]["readwrite"]
    response = requests.request(method, sandbox.base_url + path, timeout=10, **kwargs, headers={
        "Authorization": f"Bearer {token}", "Version": "2021-04-15", "Accept": "application/json"})
    assert response.ok, response.text
    return response.json()


def test_a_user_reassigned_by_hand_in_ghl_stays_when_the_record_names_none(sandbox):
    sandbox.reset()
    _, booked, _ = write(sandbox, BOOKED)
    event = booked[0]
    calendars = _ghl(sandbox, "GET", "/calendars/", params={"locationId": sandbox.location_id})["calendars"]
    team = next(c["teamMembers"] for c in calendars if c["id"] == event["calendarId"])
    other = next(m["userId"] for m in team if m["userId"] != event["assignedUserId"])
    _ghl(sandbox, "PUT", f"/calendars/events/appointments/{event['id']}", json={"assignedUserId": other})

    second, after, routes = write(sandbox, dict(BOOKED, title="Onboarding session (renamed)"))
    assert appointments_part(second.summary).startswith("created=0 updated=1")
    assert len(after) == 1 and after[0]["title"] == "Onboarding session (renamed)"
    assert after[0]["assignedUserId"] == other, "the destination undid the reassignment made in GHL"

    # A record that names its user does reassign it.
    third, last, _ = write(sandbox, dict(BOOKED, title="Onboarding session (renamed)",
                                         assignedUserId=event["assignedUserId"]))
    assert appointments_part(third.summary).startswith("created=0 updated=1")
    assert last[0]["assignedUserId"] == event["assignedUserId"]
