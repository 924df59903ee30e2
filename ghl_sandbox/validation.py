"""Request checks the vendored spec cannot express, run by the handlers after the spec layer
(`spec_validation.py`) has checked types, required fields, enums and undeclared properties.

These are the value forms GHL's DTOs add with class-validator decorators the OpenAPI export drops (IsEmail,
IsISO8601, country codes, IsNotEmpty on optional fields) and the bounds that keep a value the schema allows
from breaking storage (a number SQLite cannot hold). Each answers GHL's 422 message style.
"""
from __future__ import annotations

from .spec_validation import MAX_SAFE
from .util import parse_dob, parse_time_ms, valid_email


def check_contact(body: dict) -> list[str]:
    errs = []
    if isinstance(body.get("email"), str) and body["email"] != "" and not valid_email(body["email"]):
        errs.append("email must be an email")
    if isinstance(body.get("dateOfBirth"), str) and body["dateOfBirth"] != "" \
            and parse_dob(body["dateOfBirth"]) is None:
        errs.append("dateOfBirth must be a valid date (YYYY-MM-DD or MM/DD/YYYY)")
    if isinstance(body.get("country"), str) and body["country"] and len(body["country"]) != 2:
        errs.append("country must be a valid ISO 3166-1 alpha-2 country code")
    return errs


def check_task(body: dict) -> list[str]:
    d = body.get("dueDate")
    if isinstance(d, str) and d and (parse_time_ms(d) is None or d.strip().isdigit()):
        return ["dueDate must be a valid ISO 8601 date string"]
    return []


def check_task_search(body: dict) -> list[str]:
    """`limit` and `skip` are typed `number`; the search needs whole, non-negative counts SQLite can hold."""
    errs = []
    for k in ("limit", "skip"):
        v = body.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and not (
                float(v).is_integer() and 0 <= v <= MAX_SAFE):
            errs.append(f"{k} must be a number conforming to the specified constraints")
    return errs


def check_appointment(body: dict) -> list[str]:
    """Create: times are ISO 8601 with an offset (spec description: `2021-06-23T03:30:00+05:30`)."""
    return _times(body)


def check_appointment_edit(body: dict) -> list[str]:
    """Edit: every field optional (spec AppointmentEditSchema), but a calendar or user sent must not be empty
    (IsNotEmpty, as on create)."""
    errs = [f"{k} should not be empty" for k in ("calendarId", "assignedUserId") if k in body and body[k] == ""]
    return errs + _times(body)


def _times(body: dict) -> list[str]:
    return [f"{k} must be a valid ISO 8601 date string" for k in ("startTime", "endTime")
            if isinstance(body.get(k), str) and parse_time_ms(body[k], require_offset=True) is None]
