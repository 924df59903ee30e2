"""The destination's configuration: the fields shared with the source, then how writes are steered."""

from typing import Any, Dict

from airbyte_cdk.models import ConnectorSpecification, ConnectorSpecificationSerializer

from ghl_http.constants import SCOPE_CONTACTS_READ, SCOPE_CONTACTS_WRITE, SCOPE_EVENTS_WRITE
from ghl_http.spec_common import advanced_auth, connection_specification

OBJECTS = ("contacts", "tasks", "notes", "appointments", "tags")
WRITE_MODES = ("upsert", "update_only", "create_only")
INVALID_POLICIES = ("reject_and_continue", "fail")
DEFAULT_MAX_DELETES = 25

_MAPPING = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "default": {},
}

DESTINATION_PROPERTIES: Dict[str, Any] = {
    "streams": {
        "title": "Streams",
        "description": "Which incoming stream feeds each GHL object. Defaults: a stream named like the object. "
        "Set an object to an empty string to write nothing to it.",
        "type": "object",
        "order": 10,
        "properties": {name: {"type": "string", "default": name} for name in OBJECTS},
        "additionalProperties": False,
        "default": {},
    },
    "field_mappings": {
        "title": "Field mappings",
        "description": "Per object, incoming field name -> input-schema field name, applied before validation "
        "(e.g. {\"contacts\": {\"mobile\": \"phone\", \"score\": \"customFields.lead_score\", "
        "\"crm_ref\": \"customFields.id:AbC123\"}}). A custom field is named by its GHL key "
        "(customFields.<key>) or id (customFields.id:<id>). An empty target drops the field.",
        "type": "object",
        "order": 11,
        "properties": {name: _MAPPING for name in OBJECTS},
        "additionalProperties": False,
        "default": {},
    },
    "contact_write_mode": {
        "title": "Contact write mode",
        "description": "upsert: create missing contacts, update existing ones. update_only: only update contacts "
        "that exist in GHL (others are rejected). create_only: only create; existing contacts are left as they are.",
        "type": "string",
        "enum": list(WRITE_MODES),
        "default": "upsert",
        "order": 12,
    },
    "rankr_id_custom_field": {
        "title": "Rankr id custom field",
        "description": "Optional key (or id:<id>) of a GHL contact custom field (a TEXT field you create) that "
        "receives each contact's Rankr id. With it, records that refer to a contact by Rankr id find contacts "
        "written by earlier syncs; without it, only contacts of the same sync can be referred to by Rankr id.",
        "type": "string",
        "order": 13,
    },
    "default_calendar_id": {
        "title": "Default calendar id",
        "description": "The GHL calendar that appointments without a calendarId are booked in.",
        "type": "string",
        "order": 14,
    },
    "default_assigned_user_id": {
        "title": "Default assigned user id",
        "description": "The GHL user appointments are assigned to when the record has none; default: the "
        "calendar's first team member (GHL requires one).",
        "type": "string",
        "order": 15,
    },
    "dry_run": {
        "title": "Dry run",
        "description": "Read GHL and report what would be created, updated and rejected, without writing anything.",
        "type": "boolean",
        "default": False,
        "order": 16,
    },
    "invalid_record_policy": {
        "title": "Invalid records",
        "description": "reject_and_continue: report an invalid or refused record (stream, key, reason) and go "
        "on. fail: stop the sync at the first one.",
        "type": "string",
        "enum": list(INVALID_POLICIES),
        "default": "reject_and_continue",
        "order": 17,
    },
    "deletes_enabled": {
        "title": "Apply deletes",
        "description": "Delete the matching GHL contact, task or note when a record is marked deleted "
        "(_ab_cdc_deleted_at set, or deleted: true). Off by default.",
        "type": "boolean",
        "default": False,
        "order": 18,
    },
    "max_deletes_per_sync": {
        "title": "Maximum deletes per sync",
        "description": "A safety cap: deletes beyond it in one sync are rejected, so a broken upstream cannot "
        "empty the account.",
        "type": "integer",
        "minimum": 0,
        "maximum": 100000,
        "default": DEFAULT_MAX_DELETES,
        "order": 19,
    },
    "concurrency": {
        "title": "Parallel requests",
        "description": "How many GHL calls run at once; all share the 'requests_per_10_seconds' budget.",
        "type": "integer",
        "minimum": 1,
        "maximum": 32,
        "default": 8,
        "order": 20,
    },
}

DOCS_URL = "https://github.com/ghl-contacts-connectors/ghl-contacts-connectors/blob/main/docs/destination-ghl-contacts.md"
SCOPES = (SCOPE_CONTACTS_READ, SCOPE_CONTACTS_WRITE, SCOPE_EVENTS_WRITE)


def connection_spec() -> Dict[str, Any]:
    return connection_specification("GHL Contacts Destination Spec", DESTINATION_PROPERTIES)


def specification() -> ConnectorSpecification:
    return ConnectorSpecificationSerializer.load({
        "documentationUrl": DOCS_URL,
        "connectionSpecification": connection_spec(),
        "supported_destination_sync_modes": ["append", "append_dedup"],
        "advanced_auth": advanced_auth(SCOPES),
    })


class Settings:
    """The validated config, with every destination default filled in."""

    def __init__(self, config: Dict[str, Any]):
        self.config = config
        streams = {**{name: name for name in OBJECTS}, **(config.get("streams") or {})}
        self.object_of_stream = {stream: obj for obj, stream in streams.items() if stream}
        self.field_mappings = {obj: dict((config.get("field_mappings") or {}).get(obj) or {}) for obj in OBJECTS}
        self.write_mode = config.get("contact_write_mode", "upsert")
        self.rankr_id_custom_field = config.get("rankr_id_custom_field") or None
        self.default_calendar_id = config.get("default_calendar_id") or None
        self.default_assigned_user_id = config.get("default_assigned_user_id") or None
        self.dry_run = bool(config.get("dry_run", False))
        self.fail_on_invalid = config.get("invalid_record_policy") == "fail"
        self.deletes_enabled = bool(config.get("deletes_enabled", False))
        self.max_deletes = int(config.get("max_deletes_per_sync", DEFAULT_MAX_DELETES))
        self.concurrency = int(config.get("concurrency", 8))
        self.location_id = config.get("location_id")

    @property
    def writes_appointments(self) -> bool:
        return "appointments" in self.object_of_stream.values()
