"""`GET /calendars/?locationId=` (Version 2021-04-15): two seeded calendars per location; `GET /calendars/events`:
a location's events per calendar, user or group and time window."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import unprocessable
from ..util import parse_time_ms, trace_id
from . import CALENDARS_VERSION, route


@route("GET", "/calendars/", scope="calendars.readonly", version=CALENDARS_VERSION)
async def list_calendars(ctx):
    loc = ctx.query.get("locationId")  # required: the spec layer
    ctx.check_location(loc)
    cals = ctx.sb.store.calendars(loc)
    gid = ctx.query.get("groupId")
    if gid:
        cals = [c for c in cals if c.get("groupId") == gid]
    return 200, {"calendars": cals, "traceId": trace_id()}


@route("GET", "/calendars/events", scope="calendars/events.readonly", version=CALENDARS_VERSION)
async def list_events(ctx):
    """Spec `GET /calendars/events`: `locationId`, `startTime` and `endTime` (epoch ms, as strings) required,
    and one of `calendarId`, `userId`, `groupId`. Answers `{events: [CalendarEventDTO]}`: the events whose start
    lies in [startTime, endTime] (choice: GHL does not say whether an event overlapping the window's start is
    included), ordered by start. Times carry the location's timezone offset, as in the spec example
    `2023-09-25T16:00:00+05:30`; the per-contact list keeps its zone-less UTC text (BEHAVIOUR 4.2)."""
    q = ctx.query
    errs = []
    loc = q.get("locationId")
    if not loc:
        errs.append("locationId should not be empty")
    window = []
    for k in ("startTime", "endTime"):
        v = q.get(k)
        if not v or not v.isdigit():
            errs.append(f"{k} must be a number string (epoch milliseconds)")
        else:
            window.append(int(v))
    owners = [k for k in ("calendarId", "userId", "groupId") if q.get(k)]
    if not owners:
        errs.append("Either of calendarId, userId or groupId is required")
    if errs:
        raise unprocessable(errs)
    ctx.check_location(loc)
    store = ctx.sb.store
    start, end = window
    if q.get("calendarId"):
        cal = store.calendar(q["calendarId"])
        calendar_ids = [cal["id"]] if cal and cal["locationId"] == loc else []
    else:
        calendar_ids = [c["id"] for c in store.calendars(loc)
                        if not q.get("groupId") or c.get("groupId") == q["groupId"]]
    zone = _zone(store.location_timezone(loc))
    events = []
    for event in store.appointments_in_window(loc, calendar_ids, start, end):
        if q.get("userId") and q["userId"] not in event.get("users", [event.get("assignedUserId")]):
            continue
        events.append(_calendar_event(event, zone))
    return 200, {"events": events, "traceId": trace_id()}


def _zone(name):
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def _local(ms: int, zone) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=zone).isoformat(timespec="seconds")


def _calendar_event(event: dict, zone) -> dict:
    """A stored event in the CalendarEventDTO shape: the same fields as the per-contact list, times as ISO
    with the location's offset, plus `description` and `isRecurring` (recurring events are not emulated)."""
    out = {k: event[k] for k in ("id", "address", "title", "calendarId", "locationId", "contactId", "groupId",
                                 "appointmentStatus", "assignedUserId", "users", "notes", "assignedResources",
                                 "status") if k in event}
    out["description"] = event.get("notes", "")
    out["isRecurring"] = False
    for k in ("startTime", "endTime", "dateAdded", "dateUpdated"):
        out[k] = _local(parse_time_ms(event[k]), zone)
    return out
