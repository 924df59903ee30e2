"""`check`: prove the token, the location and the write scopes without creating or changing anything.

- `GET /contacts/search/duplicate` on the location: the token is valid (else 401), may use this location
  (else 403) and may read contacts (the writers' lookups need `contacts.readonly`).
- `PUT /contacts/<an id that cannot exist>` with an empty body: GHL checks the scope first (401 without
  `contacts.write`), then answers 400 "not found": nothing is changed.
- when appointments are mapped, `POST /calendars/events/appointments` with a body that lacks every
  required field: 401 without `calendars/events.write`, else 422 from validation: nothing is booked.
- the settings that name GHL things exist on the location (reads only, see `settings_probe`):
  `default_calendar_id` and `default_assigned_user_id` in `GET /calendars/`, `rankr_id_custom_field` and
  every custom field `field_mappings` targets in `GET /locations/{id}/customFields`.
"""

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_ghl_contacts import settings_probe
from destination_ghl_contacts.ghl import GHL
from destination_ghl_contacts.spec import Settings
from ghl_http import messages
from ghl_http.constants import SCOPE_CONTACTS_WRITE, SCOPE_EVENTS_WRITE

PROBE_CONTACT_ID = "ghlDestinationProbe0"  # 20 characters like a GHL id, never issued by GHL
PROBE_EMAIL = "connection-check@example.invalid"
HARMLESS = (400, 404, 422)


def _needs(scope: str, call):
    try:
        return call()
    except AirbyteTracedException as exc:
        if exc.failure_type == FailureType.config_error and "scope" in (exc.message or "").lower():
            raise AirbyteTracedException(message=messages.missing_scope(scope), failure_type=FailureType.config_error) from None
        raise


def run(ghl: GHL, settings: Settings) -> None:
    """Raises with the user's next step when the config cannot write; returns when it can."""
    reply = ghl.get("/contacts/search/duplicate", params={"locationId": ghl.location_id, "email": PROBE_EMAIL})
    if not reply.ok:
        raise _unexpected("reading contacts", reply)
    reply = _needs(SCOPE_CONTACTS_WRITE, lambda: ghl.call("PUT", f"/contacts/{PROBE_CONTACT_ID}", json={}))
    if reply.status not in HARMLESS:
        raise _unexpected("the contacts.write probe", reply)
    if settings.writes_appointments:
        reply = _needs(SCOPE_EVENTS_WRITE, lambda: ghl.call(
            "POST", "/calendars/events/appointments", json={"locationId": ghl.location_id}, calendars=True, once=True))
        if reply.status not in HARMLESS:
            raise _unexpected("the calendars/events.write probe", reply)
    settings_probe.run(ghl, settings)


def _unexpected(what: str, reply) -> AirbyteTracedException:
    return AirbyteTracedException(
        message=f"GHL answered {what} unexpectedly (HTTP {reply.status}): {reply.message or 'no message'}. "
        "Retry; if it persists, check 'api_base_url' and the token.",
        failure_type=FailureType.system_error)
