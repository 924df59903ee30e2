"""Appointments: booked with `POST /calendars/events/appointments` (Version 2021-04-15; GHL has no
`POST /contacts/{id}/appointments`). Matched by ghlId, the marker in the description, or the same calendar
and start time on the contact; a changed one is edited with `PUT /calendars/events/appointments/{id}`."""

from typing import Any, Dict, List, Mapping, Optional

from destination_ghl_contacts import mapping, matching
from destination_ghl_contacts.buffer import Item
from destination_ghl_contacts.children import Listing, Results, refused, write_each
from destination_ghl_contacts.context import WriteContext
from destination_ghl_contacts.ghl import Found
from destination_ghl_contacts.report import Outcome, created, rejected, unchanged, updated
from destination_ghl_contacts.validation import is_deleted

CREATE_PATH = "/calendars/events/appointments"


def write_appointments(ctx: WriteContext, contact_id: str, items: List[Item]) -> Results:
    listing = Listing(ctx, f"/contacts/{contact_id}/appointments", "events")
    return write_each(ctx, contact_id, items, lambda item: _write(ctx, contact_id, listing, item.data))


def _write(ctx: WriteContext, contact_id: str, listing: Listing, record: Mapping[str, Any]) -> Outcome:
    if is_deleted(record):
        if ctx.deletes_ignored():
            return unchanged(None)
        return rejected("deleting appointments is not supported; cancel it with status 'cancelled'")
    calendar_id = record.get("calendarId") or ctx.settings.default_calendar_id
    if not calendar_id:
        return rejected("calendarId: the record has none and default_calendar_id is not set")
    user_id = record.get("assignedUserId") or ctx.settings.default_assigned_user_id or _first_member(ctx, calendar_id)
    if not user_id:
        return rejected(f"assignedUserId: none given, and calendar {calendar_id!r} has no team member (or does not "
                        "exist); set default_assigned_user_id")
    desired = mapping.appointment_body(record, ctx.ghl.location_id, contact_id, calendar_id, user_id)
    existing = matching.find_appointment(listing.items(), record, calendar_id)
    if existing is None and record.get("ghlId"):
        return rejected(f"ghlId: the contact has no GHL appointment {record['ghlId']!r}")
    if existing is None:
        return _create(ctx, listing, record, desired, calendar_id)
    return _update(ctx, existing, desired, explicit_user=bool(record.get("assignedUserId")))


def _first_member(ctx: WriteContext, calendar_id: str) -> Optional[str]:
    members = ctx.calendar_members(calendar_id)
    return members[0] if members else None


def _create(ctx: WriteContext, listing: Listing, record: Mapping[str, Any], desired: Dict, calendar_id: str) -> Outcome:
    if ctx.dry_run:
        return created(None)
    result = ctx.ghl.create_once(
        CREATE_PATH, desired, key=None, calendars=True,
        find=lambda: matching.find_appointment(listing.fresh(), record, calendar_id))
    if isinstance(result, Found):
        return created(result.record.get("id"))
    if not result.ok:
        return refused(result)
    listing.add({**result.body, "notes": desired["description"]})
    return created(result.body["id"])


def _update(ctx: WriteContext, existing: Mapping[str, Any], desired: Dict, explicit_user: bool) -> Outcome:
    changes = {}
    # A user reassigned by hand in GHL stays, unless the record names one or the calendar moves (the user must
    # then be one of the new calendar's team).
    moved = bool(existing.get("calendarId")) and existing["calendarId"] != desired["calendarId"]
    if (explicit_user or moved) and existing.get("assignedUserId") != desired["assignedUserId"]:
        changes["assignedUserId"] = desired["assignedUserId"]
    if moved:
        changes["calendarId"] = desired["calendarId"]
    if existing.get("title") != desired["title"]:
        changes["title"] = desired["title"]
    if existing.get("appointmentStatus") != desired["appointmentStatus"]:
        changes["appointmentStatus"] = desired["appointmentStatus"]
    # Both times or neither: whether GHL keeps the end or the duration when only the start is sent is not
    # documented, and either reading would leave a wrong end.
    if any(not existing.get(field) or mapping.parse_time(str(existing[field])) != mapping.parse_time(desired[field])
           for field in ("startTime", "endTime")):
        changes.update(startTime=desired["startTime"], endTime=desired["endTime"])
    if not changes:
        return unchanged(existing["id"])
    if ctx.dry_run:
        return updated(existing["id"])
    body = {"calendarId": desired["calendarId"], **changes}
    reply = ctx.ghl.call("PUT", f"{CREATE_PATH}/{existing['id']}", json=body, calendars=True)
    if not reply.ok:
        return refused(reply)
    Listing.edited(existing, changes)
    return updated(existing["id"])
