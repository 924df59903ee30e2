"""`GET /calendars/events` (a location's events per calendar, user or group and window) and
`GET /locations/{locationId}` (its timezone), against the spec and the per-contact appointment lists."""

from datetime import datetime, timezone

import requests

from ghl_sandbox.util import parse_time_ms

from .spec import check

CAL_VERSION = "2021-04-15"
WIDE = {"startTime": "0", "endTime": str(4_102_444_800_000)}  # 1970 .. 2100


def _get(sandbox, path, token, version="2021-07-28", **params):
    return requests.get(sandbox.base_url + path, params=params, headers=sandbox.headers(token, version), timeout=30)


def _instant(text):
    parsed = datetime.fromisoformat(text)
    assert parsed.tzinfo is not None, text
    return int(parsed.astimezone(timezone.utc).timestamp() * 1000)


def test_location_has_its_timezone(sandbox):
    token = sandbox.mint_token(["locations.readonly"])
    body = check(_get(sandbox, f"/locations/{sandbox.location_id}", token), "locations", "GET", "/locations/{locationId}")
    assert body["location"]["id"] == sandbox.location_id and body["location"]["timezone"] == "America/Chicago"
    assert _get(sandbox, f"/locations/{sandbox.location_id}", sandbox.mint_token(["contacts.readonly"])).status_code == 401


def test_events_per_calendar_equal_the_per_contact_lists(sandbox):
    token = sandbox.mint_token(["calendars.readonly", "calendars/events.readonly"])
    calendars = _get(sandbox, "/calendars/", token, CAL_VERSION, locationId=sandbox.location_id).json()["calendars"]
    events = []
    for cal in calendars:
        r = _get(sandbox, "/calendars/events", token, CAL_VERSION, locationId=sandbox.location_id, calendarId=cal["id"], **WIDE)
        body = check(r, "calendars", "GET", "/calendars/events")
        assert all(e["calendarId"] == cal["id"] for e in body["events"])
        events += body["events"]
    truth = sandbox.dump()["appointments"]
    assert sorted(e["id"] for e in events) == sorted(a["id"] for a in truth)
    by_id = {a["id"]: a for a in truth}
    for e in events:
        a = by_id[e["id"]]
        assert e["startTime"][-6:] in ("-05:00", "-06:00")  # America/Chicago (CDT, CST)
        for k in ("startTime", "endTime", "dateAdded", "dateUpdated"):
            assert _instant(e[k]) // 1000 == parse_time_ms(a[k]) // 1000, (e["id"], k)
        assert {k: e[k] for k in ("contactId", "title", "appointmentStatus", "assignedUserId", "users", "notes")} == \
            {k: a[k] for k in ("contactId", "title", "appointmentStatus", "assignedUserId", "users", "notes")}


def test_window_user_and_group_narrow_the_events(sandbox):
    token = sandbox.mint_token(["calendars/events.readonly"])
    truth = sorted(sandbox.dump()["appointments"], key=lambda a: parse_time_ms(a["startTime"]))
    middle = parse_time_ms(truth[len(truth) // 2]["startTime"])
    group = truth[0]["groupId"]
    later = _get(sandbox, "/calendars/events", token, CAL_VERSION, locationId=sandbox.location_id, groupId=group,
                 startTime=str(middle), endTime=WIDE["endTime"]).json()["events"]
    assert sorted(e["id"] for e in later) == sorted(a["id"] for a in truth if parse_time_ms(a["startTime"]) >= middle)
    user = truth[0]["assignedUserId"]
    mine = _get(sandbox, "/calendars/events", token, CAL_VERSION, locationId=sandbox.location_id, userId=user, **WIDE).json()["events"]
    assert mine and sorted(e["id"] for e in mine) == sorted(a["id"] for a in truth if user in a["users"])


def test_required_parameters_and_scope(sandbox):
    token = sandbox.mint_token(["calendars/events.readonly"])
    no_owner = _get(sandbox, "/calendars/events", token, CAL_VERSION, locationId=sandbox.location_id, **WIDE)
    assert no_owner.status_code == 422 and "Either of calendarId, userId or groupId is required" in no_owner.text
    no_window = _get(sandbox, "/calendars/events", token, CAL_VERSION, locationId=sandbox.location_id, groupId="g")
    assert no_window.status_code == 422
    no_scope = _get(sandbox, "/calendars/events", sandbox.mint_token(["contacts.readonly"]), CAL_VERSION,
                    locationId=sandbox.location_id, groupId="g", **WIDE)
    assert no_scope.status_code == 401
