"""Appointments: the per-contact list (`{events}`) and `POST /calendars/events/appointments`."""
from __future__ import annotations

import orjson

from ..errors import ApiError, unprocessable
from ..util import iso_ms, new_id, parse_time_ms, space_time, trace_id
from ..validation import check_appointment
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
    members = {m["userId"] for m in cal.get("teamMembers", [])}
    if body["assignedUserId"] not in members:
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
    out = {"id": aid, "calendarId": cal["id"], "locationId": loc, "contactId": body["contactId"],
           "startTime": body["startTime"], "endTime": body.get("endTime") or iso_ms(end),
           "title": body.get("title", "Appointment"), "meetingLocationType": body.get("meetingLocationType",
                                                                                      "custom"),
           "appointmentStatus": status, "assignedUserId": body["assignedUserId"],
           "address": body.get("address", ""), "isRecurring": bool(body.get("rrule"))}
    if body.get("rrule"):
        out["rrule"] = body["rrule"]
    out["traceId"] = trace_id()
    return 200, out
