"""`check`, second part: the settings that name something in GHL name something that exists, so a typo'd id
fails `check` with the field and its fix instead of every record at write time. Reads only.

- `default_calendar_id`: one of the location's calendars (`GET /calendars/?locationId=`).
- `default_assigned_user_id`: a team member of the default calendar (GHL books an appointment only with a
  member of its calendar's team), or, without a default calendar, of some calendar of the location.
- `rankr_id_custom_field` and every `customFields.<key>` / `customFields.id:<id>` target of `field_mappings`:
  a contact custom field of the location (`GET /locations/{id}/customFields?model=contact`), by key
  (`lead_score` or `contact.lead_score`) or id.
"""

from typing import Any, Dict, Iterable, List, Tuple

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_ghl_contacts.ghl import GHL, Malformed, Reply, items
from destination_ghl_contacts.mapping import CUSTOM, ID_PREFIX
from destination_ghl_contacts.spec import Settings
from ghl_http.config import config_error
from ghl_http.constants import SCOPE_CALENDARS_READ, SCOPE_CUSTOM_FIELDS_READ


def run(ghl: GHL, settings: Settings) -> None:
    if settings.default_calendar_id or settings.default_assigned_user_id:
        _check_calendar_settings(settings, _calendars(ghl))
    wanted = list(custom_field_settings(settings))
    if wanted:
        _check_custom_fields(wanted, _custom_fields(ghl))


def custom_field_settings(settings: Settings) -> Iterable[Tuple[str, str]]:
    """(config field, custom-field reference) for each custom field the config names."""
    if settings.rankr_id_custom_field:
        yield "rankr_id_custom_field", settings.rankr_id_custom_field
    for obj, table in settings.field_mappings.items():
        for source, target in table.items():
            if target.startswith(CUSTOM + "."):
                yield f"field_mappings.{obj}.{source}", target[len(CUSTOM) + 1:]


def _read(ghl: GHL, path: str, key: str, what: str, scope: str, fields: str, **kwargs: Any) -> List[Dict[str, Any]]:
    try:
        reply = ghl.get(path, **kwargs)
    except AirbyteTracedException as exc:
        if exc.failure_type != FailureType.config_error or "scope" not in (exc.message or "").lower():
            raise
        reply = Reply(401, None)
    if not reply.answered:
        raise config_error(fields, f"cannot be verified: GHL refused to list {what} (HTTP {reply.status})",
                           f"Give the token the '{scope}' scope, then retry the check.")
    try:
        return items(reply, key, f"the {what}")
    except Malformed as exc:
        raise exc.stop() from None


def _calendars(ghl: GHL) -> List[Dict[str, Any]]:
    return _read(ghl, "/calendars/", "calendars", "the location's calendars", SCOPE_CALENDARS_READ,
                 "default_calendar_id/default_assigned_user_id", params={"locationId": ghl.location_id},
                 calendars=True)


def _members(calendar: Dict[str, Any]) -> List[str]:
    return [m.get("userId") for m in calendar.get("teamMembers") or [] if isinstance(m, dict)]


def _check_calendar_settings(settings: Settings, calendars: List[Dict[str, Any]]) -> None:
    by_id = {c["id"]: c for c in calendars}
    calendar_id, user_id = settings.default_calendar_id, settings.default_assigned_user_id
    if calendar_id and calendar_id not in by_id:
        raise config_error("default_calendar_id", f"names no calendar of location {settings.location_id} "
                           f"({calendar_id!r})", "Copy a calendar id from GHL (Calendars, or GET /calendars/?locationId=) "
                           "and retry.")
    if not user_id:
        return
    teams = [by_id[calendar_id]] if calendar_id else calendars
    if not any(user_id in _members(c) for c in teams):
        where = f"the team of calendar {calendar_id!r}" if calendar_id else "the team of any calendar of the location"
        raise config_error("default_assigned_user_id", f"is not in {where} ({user_id!r})",
                           "GHL books appointments only for a team member of the calendar: add the user to the "
                           "calendar's team in GHL, or set a user id that is in it, and retry.")


def _custom_fields(ghl: GHL) -> List[Dict[str, Any]]:
    return _read(ghl, f"/locations/{ghl.location_id}/customFields", "customFields", "the contact custom fields",
                 SCOPE_CUSTOM_FIELDS_READ, "rankr_id_custom_field/field_mappings", params={"model": "contact"})


def _check_custom_fields(wanted: List[Tuple[str, str]], fields: List[Dict[str, Any]]) -> None:
    known = set()
    for field in fields:
        key = str(field.get("fieldKey") or "")
        known |= {ID_PREFIX + str(field["id"]), key, key.split(".", 1)[-1]}
    known.discard("")
    for setting, reference in wanted:
        if reference not in known:
            kind = "id" if reference.startswith(ID_PREFIX) else "key"
            raise config_error(setting, f"names a contact custom field that does not exist ({kind} {reference!r})",
                               "Create the field in GHL (Settings > Custom Fields), or use the key or id:<id> of an "
                               "existing one, and retry.")


