"""Appointments: the per-contact list (`{events}`), `POST /calendars/events/appointments`,
`GET`/`PUT /calendars/events/appointments/{eventId}` and `DELETE /calendars/events/{eventId}` (BEHAVIOUR 3.10).

Types, required fields and undeclared properties are checked by the spec layer (`spec_validation.py`) before
these handlers run; the time formats the spec cannot express are checked in `validation.py`."""
from __future__ import annotations

import re

import orjson

from .. import webhooks
from ..errors import ApiError, not_found_record, unprocessable
from ..util import iso_ms, new_id, parse_time_ms, space_time, trace_id
from ..validation import check_appointment, check_appointment_edit
from . import CALENDARS_VERSION, CONTACTS_VERSION, route


@route("GET", "/contacts/{contactId}/appointments", scope="contacts.readonly", version=CONTACTS_VERSION)
async def list_appointments(ctx):
    cid = ctx.params["contactId"]
    ctx.contact_location(cid)
    items = ctx.sb.store.appointments_raw(cid)
    return 200, b'{"events":[' + b",".join(items) + b'],"traceId":"' + trace_id().encode() + b'"}'


@route("POST", "/calendars/events/appointments", scope="calendars/events.write", version=CALENDARS_VERSION)
async def create_appointment(ctx):
    """Required: calendarId, locationId, contactId, startTime (ISO with offset) and, as observed live
    (GoHighLevel/highlevel-api-docs#23), assignedUserId. The response is flat and has no dateAdded/dateUpdated
    (#246); the per-contact list shows the stored event with them."""
    body = ctx.json()
    errs = check_appointment(body)
    if errs:
        raise unprocessable(errs)
    loc = body["locationId"]
    ctx.check_location(loc)
    sb = ctx.sb
    cal = sb.store.calendar(body["calendarId"])
    if cal is None or cal["locationId"] != loc:
        raise ApiError(400, {"statusCode": 400, "message": "Calendar not found", "error": "Bad Request"})
    contact_loc = sb.store.contact_location(body["contactId"])
    if contact_loc is None:
        raise ApiError(400, {"error": f"Contact with id {body['contactId']} not found", "status": 400})
    if contact_loc != loc:
        raise ApiError(403, {"statusCode": 403, "message": "The token does not have access to this location."})
    if body["assignedUserId"] not in _members(cal):
        raise unprocessable(["assignedUserId must be a team member of the calendar"])
    start = parse_time_ms(body["startTime"], require_offset=True)
    end = parse_time_ms(body["endTime"], require_offset=True) if body.get("endTime") else start + int(
        cal.get("slotDuration", 30)) * 60_000
    if end <= start:
        raise ApiError(400, {"statusCode": 400, "message": "endTime must be after startTime", "error": "Bad Request"})
    now = sb.stamp()
    aid = new_id(sb.rng)
    status = body.get("appointmentStatus", "confirmed")
    event = {"id": aid, "calendarId": cal["id"], "locationId": loc, "contactId": body["contactId"],
             "groupId": cal.get("groupId", ""), "title": body.get("title", "Appointment"), "status": "booked",
             "appointmentStatus": status, "assignedUserId": body["assignedUserId"],
             "users": [body["assignedUserId"]], "notes": body.get("description", ""),
             "address": body.get("address", ""), "startTime": space_time(start), "endTime": space_time(end),
             "dateAdded": iso_ms(now), "dateUpdated": iso_ms(now), "assignedResources": []}
    sb.store.insert_appointments([(aid, body["contactId"], loc, cal["id"], start, now, now, orjson.dumps(event))])
    suffix = _suffix(body["startTime"])
    sb.store.set_appointment_suffix(aid, suffix)
    webhooks.appointment_event(sb, "AppointmentCreate", loc, event)
    return 200, _answer(ctx, event, body, start, end, suffix)


@route("GET", "/calendars/events/appointments/{eventId}", scope="calendars/events.readonly",
       version=CALENDARS_VERSION)
async def get_appointment(ctx):
    """`{event}` as the spec declares (GetCalendarEventSuccessfulResponseDTO) with the stored record, the same
    one the per-contact list shows. RocketRide saw `{appointment}` live (BEHAVIOUR 8); the spec's key is kept."""
    _, event, _ = _appointment(ctx)
    return 200, {"event": event, "traceId": trace_id()}


@route("DELETE", "/calendars/events/{eventId}", scope="calendars/events.write", version=CALENDARS_VERSION)
async def delete_event(ctx):
    """201 `{succeeded: true}` (spec DeleteEventSuccessfulResponseDto; its body, DeleteAppointmentSchema, is
    empty). The event leaves the per-contact list."""
    _, event, _ = _appointment(ctx)
    ctx.sb.store.delete_appointment(event["id"])
    webhooks.appointment_event(ctx.sb, "AppointmentDelete", event["locationId"], event)
    return 201, {"succeeded": True, "traceId": trace_id()}


@route("PUT", "/calendars/events/appointments/{eventId}", scope="calendars/events.write", version=CALENDARS_VERSION)
async def update_appointment(ctx):
    """Partial edit: spec AppointmentEditSchema declares every field optional and has no locationId/contactId
    (an event keeps both). Answered with the create's flat body, again without dateAdded/dateUpdated (#246);
    the per-contact list shows the bumped dateUpdated."""
    body = ctx.json()
    errs = check_appointment_edit(body)
    if errs:
        raise unprocessable(errs)
    sb = ctx.sb
    date_updated, event, suffix = _appointment(ctx)
    cal = _edited_calendar(sb, event, body)
    user = body.get("assignedUserId", event["assignedUserId"])
    if ("calendarId" in body or "assignedUserId" in body) and user not in _members(cal):
        # As on create (#23); checked only when the PUT moves the calendar or the user (choice).
        raise unprocessable(["assignedUserId must be a team member of the calendar"])
    start, end = _edited_times(event, body)
    now = sb.stamp(date_updated)
    for field, key in (("title", "title"), ("appointmentStatus", "appointmentStatus"), ("address", "address"),
                       ("description", "notes")):
        if body.get(field) is not None:
            event[key] = body[field]
    event.update({"calendarId": cal["id"], "groupId": cal.get("groupId", ""), "assignedUserId": user,
                  "users": [user], "startTime": space_time(start), "endTime": space_time(end),
                  "dateUpdated": iso_ms(now)})
    sb.store.update_appointment(event, start, now)
    webhooks.appointment_event(sb, "AppointmentUpdate", event["locationId"], event)
    if body.get("startTime"):
        suffix = _suffix(body["startTime"])
        sb.store.set_appointment_suffix(event["id"], suffix)
    return 200, _answer(ctx, event, body, start, end, suffix)


def _appointment(ctx) -> tuple[int, dict, str | None]:
    row = ctx.sb.store.get_appointment(ctx.params["eventId"])
    if row is None:
        # The spec declares only 400 (BadRequestDTO) and 401; unknown tasks and notes answer this way too
        # (choice: the wording). Recurring instance ids (`<id>_<ms>_<duration>`) are not emulated.
        raise not_found_record("Appointment")
    ctx.check_location(row[1]["locationId"])
    return row


def _members(cal: dict) -> set:
    return {m["userId"] for m in cal.get("teamMembers", [])}


def _edited_calendar(sb, event: dict, body: dict) -> dict:
    """The event's calendar after the edit: a new calendarId must exist on the event's location, as on create."""
    cal = sb.store.calendar(body.get("calendarId", event["calendarId"]))
    if cal is None or cal["locationId"] != event["locationId"]:
        raise ApiError(400, {"statusCode": 400, "message": "Calendar not found", "error": "Bad Request"})
    return cal


def _edited_times(event: dict, body: dict) -> tuple[int, int]:
    """A time that is not sent keeps its stored value (choice: a partial update; GHL does not document whether
    a lone startTime moves the end too). The stored times are UTC `YYYY-MM-DD HH:MM:SS` (BEHAVIOUR 4.2)."""
    start, end = (parse_time_ms(body.get(k, event[k])) for k in ("startTime", "endTime"))
    if end <= start:
        raise ApiError(400, {"statusCode": 400, "message": "endTime must be after startTime", "error": "Bad Request"})
    return start, end


_SUFFIX = re.compile(r"(Z|[+-][0-9]{2}:?[0-9]{2})$")


def _suffix(text: str) -> str | None:
    """The zone designator a client wrote a time with (`Z`, `+05:30`)."""
    m = _SUFFIX.search(text.strip())
    return m.group(1) if m else None


def _render(ms: int, suffix: str | None) -> str:
    """A stored time in the zone the client last wrote the event's times in, ISO 8601 with that offset."""
    if not suffix or suffix == "Z":
        return iso_ms(ms)
    sign = 1 if suffix[0] == "+" else -1
    digits = suffix[1:].replace(":", "")
    offset_ms = sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    local = iso_ms(ms + offset_ms)
    return local[:19] + suffix


def _answer(ctx, event: dict, body: dict, start: int, end: int, suffix: str | None) -> dict:
    """The flat create/update body (spec AppointmentSchemaResponse): times echo the request's text when it sent
    them, and otherwise are written with the offset the client used for this event, so an edit answers in the
    create's form; meetingLocationType and rrule are not stored, so they echo the request too."""
    out = {"id": event["id"], "calendarId": event["calendarId"], "locationId": event["locationId"],
           "contactId": event["contactId"], "startTime": body.get("startTime") or _render(start, suffix),
           "endTime": body.get("endTime") or _render(end, suffix), "title": event["title"],
           "meetingLocationType": body.get("meetingLocationType", "custom"),
           "appointmentStatus": event["appointmentStatus"], "assignedUserId": event["assignedUserId"],
           "address": event["address"], "isRecurring": bool(body.get("rrule"))}
    if body.get("rrule"):
        out["rrule"] = body["rrule"]
    if ctx.api == "v3":  # v3's AppointmentSchemaResponse requires both; v2 answers lack them (#246)
        out["dateAdded"], out["dateUpdated"] = event["dateAdded"], event["dateUpdated"]
    out["traceId"] = trace_id()
    return out
