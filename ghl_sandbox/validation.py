"""Request-body validation the way GHL's NestJS `ValidationPipe` (whitelist, forbidNonWhitelisted) does it.

Undeclared properties answer 422 `{"statusCode":422,"message":["property X should not exist"],
"error":"Unprocessable Entity"}` (GoHighLevel/highlevel-api-docs#262, #313). The declared property sets
come from the vendored spec DTOs.
"""
from __future__ import annotations

from .util import parse_dob, parse_time_ms, valid_email

_CONTACT_STR = ("firstName", "lastName", "name", "email", "phone", "address1", "city", "state", "postalCode",
                "website", "timezone", "source", "country", "companyName", "assignedTo", "gender", "locationId")

# spec CreateContactDto
CREATE_CONTACT = frozenset({
    "firstName", "lastName", "name", "email", "locationId", "gender", "phone", "address1", "city", "state",
    "postalCode", "website", "timezone", "dnd", "dndSettings", "inboundDndSettings", "tags", "customFields",
    "source", "dateOfBirth", "country", "companyName", "assignedTo"})
# spec UpdateContactDto: the create fields minus locationId, gender and companyName. companyName is accepted
# live (GoHighLevel/highlevel-api-docs#314 calls its absence a documentation gap), so it is allowed here.
UPDATE_CONTACT = (CREATE_CONTACT - {"locationId", "gender"}) | {"companyName"}
# spec UpsertContactDto
UPSERT_CONTACT = CREATE_CONTACT | {"createNewIfDuplicateAllowed"}
CREATE_TASK = frozenset({"title", "body", "dueDate", "completed", "assignedTo"})  # CreateTaskParams
UPDATE_TASK = CREATE_TASK  # UpdateTaskBody
TASK_STATUS = frozenset({"completed"})  # UpdateTaskStatusParams
NOTE = frozenset({"userId", "body", "title", "color", "pinned"})  # NotesDTO / UpdateNoteDTO
TAGS = frozenset({"tags"})  # TagsDTO
SEARCH = frozenset({"locationId", "page", "pageLimit", "searchAfter", "filters", "sort", "query"})
TASK_SEARCH = frozenset({"contactId", "completed", "assignedTo", "query", "limit", "skip", "businessId"})
# spec AppointmentCreateSchema
APPOINTMENT = frozenset({
    "title", "meetingLocationType", "meetingLocationId", "overrideLocationConfig", "appointmentStatus",
    "assignedUserId", "description", "address", "ignoreDateRange", "toNotify", "ignoreFreeSlotValidation",
    "rrule", "calendarId", "locationId", "contactId", "startTime", "endTime"})
# spec AppointmentEditSchema: the create fields minus locationId and contactId (an event keeps both), none required
APPOINTMENT_EDIT = APPOINTMENT - {"locationId", "contactId"}

DND_CHANNELS = ("Call", "Email", "SMS", "WhatsApp", "GMB", "FB")


def unknown_properties(body: dict, allowed: frozenset) -> list[str]:
    return [f"property {k} should not exist" for k in body if k not in allowed]


def check_contact(body: dict, allowed: frozenset, *, require_location: bool) -> list[str]:
    errs = unknown_properties(body, allowed)
    if require_location:
        loc = body.get("locationId")
        if not loc:
            errs.append("locationId should not be empty")
        if loc is not None and not isinstance(loc, str):
            errs.append("locationId must be a string")
    for k in _CONTACT_STR:
        if k in body and body[k] is not None and not isinstance(body[k], str) and k in allowed:
            errs.append(f"{k} must be a string")
    if isinstance(body.get("email"), str) and body["email"] != "" and not valid_email(body["email"]):
        errs.append("email must be an email")
    if "dnd" in body and not isinstance(body["dnd"], bool):
        errs.append("dnd must be a boolean value")
    if "tags" in body:
        tags = body["tags"]
        if not isinstance(tags, list):
            errs.append("tags must be an array")
        elif any(not isinstance(t, str) for t in tags):
            errs.append("each value in tags must be a string")
    if "customFields" in body:
        cf = body["customFields"]
        if not isinstance(cf, list) or any(not isinstance(x, dict) for x in cf):
            errs.append("customFields must be an array of objects")
    if "dateOfBirth" in body and body["dateOfBirth"] not in (None, ""):
        if parse_dob(body["dateOfBirth"]) is None:
            errs.append("dateOfBirth must be a valid date (YYYY-MM-DD or MM/DD/YYYY)")
    if "country" in body and isinstance(body["country"], str) and body["country"] and len(body["country"]) != 2:
        errs.append("country must be a valid ISO 3166-1 alpha-2 country code")
    if "dndSettings" in body:
        ds = body["dndSettings"]
        if not isinstance(ds, dict):
            errs.append("dndSettings must be an object")
        else:
            for ch, v in ds.items():
                if ch not in DND_CHANNELS:
                    errs.append(f"dndSettings.property {ch} should not exist")
                elif not isinstance(v, dict) or v.get("status") not in ("active", "inactive", "permanent"):
                    errs.append(f"dndSettings.{ch}.status must be one of the following values: active, inactive, "
                                "permanent")
    if "inboundDndSettings" in body:
        ib = body["inboundDndSettings"]
        if not isinstance(ib, dict) or any(k != "all" for k in ib) or (
                "all" in ib and (not isinstance(ib["all"], dict) or ib["all"].get("status") not in
                                 ("active", "inactive"))):
            errs.append("inboundDndSettings.all.status must be one of the following values: active, inactive")
    if "createNewIfDuplicateAllowed" in body and not isinstance(body["createNewIfDuplicateAllowed"], bool):
        errs.append("createNewIfDuplicateAllowed must be a boolean value")
    return errs


def check_task(body: dict, *, create: bool) -> list[str]:
    errs = unknown_properties(body, CREATE_TASK)
    if create:
        if not body.get("title"):
            errs.append("title should not be empty")
        if "dueDate" not in body:
            errs.append("dueDate should not be empty")
        if "completed" not in body:
            errs.append("completed should not be empty")
    if "title" in body and not isinstance(body["title"], str):
        errs.append("title must be a string")
    for k in ("body", "assignedTo"):
        if k in body and body[k] is not None and not isinstance(body[k], str):
            errs.append(f"{k} must be a string")
    if "dueDate" in body and (not isinstance(body["dueDate"], str) or parse_time_ms(body["dueDate"]) is None
                              or body["dueDate"].strip().isdigit()):
        errs.append("dueDate must be a valid ISO 8601 date string")
    if "completed" in body and not isinstance(body["completed"], bool):
        errs.append("completed must be a boolean value")
    return errs


def check_note(body: dict, *, create: bool) -> list[str]:
    errs = unknown_properties(body, NOTE)
    if create and not body.get("body"):
        errs.append("body should not be empty")
    for k in ("body", "userId", "title", "color"):
        if k in body and body[k] is not None and not isinstance(body[k], str):
            errs.append(f"{k} must be a string")
    if "pinned" in body and not isinstance(body["pinned"], bool):
        errs.append("pinned must be a boolean value")
    return errs


def check_tags(body: dict) -> list[str]:
    errs = unknown_properties(body, TAGS)
    tags = body.get("tags")
    if not isinstance(tags, list):
        errs.append("tags must be an array")
    elif any(not isinstance(t, str) for t in tags):
        errs.append("each value in tags must be a string")
    return errs


APPOINTMENT_STATUSES = ("new", "confirmed", "cancelled", "showed", "noshow", "invalid")
MEETING_TYPES = ("custom", "zoom", "gmeet", "phone", "address", "ms_teams", "google")


def check_appointment(body: dict) -> list[str]:
    errs = unknown_properties(body, APPOINTMENT)
    for k in ("calendarId", "locationId", "contactId"):
        if not body.get(k):
            errs.append(f"{k} should not be empty")
        elif not isinstance(body[k], str):
            errs.append(f"{k} must be a string")
    st = body.get("startTime")
    if not st:
        errs.append("startTime should not be empty")
    elif not isinstance(st, str) or parse_time_ms(st, require_offset=True) is None:
        errs.append("startTime must be a valid ISO 8601 date string")
    et = body.get("endTime")
    if et is not None and (not isinstance(et, str) or parse_time_ms(et, require_offset=True) is None):
        errs.append("endTime must be a valid ISO 8601 date string")
    if not body.get("assignedUserId"):
        # Observed live (GoHighLevel/highlevel-api-docs#23): a team member must be given.
        errs.append("assignedUserId should not be empty")
    return errs + _appointment_enums(body)


def check_appointment_edit(body: dict) -> list[str]:
    """`PUT /calendars/events/appointments/{eventId}`: every field optional, each checked as on create."""
    errs = unknown_properties(body, APPOINTMENT_EDIT)
    for k in ("calendarId", "assignedUserId"):
        if k in body and not body[k]:
            errs.append(f"{k} should not be empty")
    for k in ("calendarId", "assignedUserId", "title", "description", "address", "meetingLocationId", "rrule"):
        if body.get(k) is not None and not isinstance(body[k], str):
            errs.append(f"{k} must be a string")
    for k in ("startTime", "endTime"):
        if k in body and (not isinstance(body[k], str) or parse_time_ms(body[k], require_offset=True) is None):
            errs.append(f"{k} must be a valid ISO 8601 date string")
    return errs + _appointment_enums(body)


def _appointment_enums(body: dict) -> list[str]:
    errs = []
    if "appointmentStatus" in body and body["appointmentStatus"] not in APPOINTMENT_STATUSES:
        errs.append("appointmentStatus must be one of the following values: " + ", ".join(APPOINTMENT_STATUSES))
    if "meetingLocationType" in body and body["meetingLocationType"] not in MEETING_TYPES:
        errs.append("meetingLocationType must be one of the following values: " + ", ".join(MEETING_TYPES))
    return errs
