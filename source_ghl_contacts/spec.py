"""The source's configuration: GHL's shared fields (ghl_http) plus what reading needs."""

from typing import Any, Dict

from airbyte_cdk.models import ConnectorSpecification, ConnectorSpecificationSerializer

from ghl_http.constants import SCOPE_CONTACTS_READ, SCOPE_CUSTOM_FIELDS_READ
from ghl_http.spec_common import advanced_auth, connection_specification

CHANGED_CONTACTS = "changed_contacts"
ALL_CONTACTS = "all_contacts"

# What the source asks for in the OAuth flow: reading contacts (and their tasks, notes, appointments) and the
# custom-field definitions. Nothing that writes.
OAUTH_SCOPES = (SCOPE_CONTACTS_READ, SCOPE_CUSTOM_FIELDS_READ)

DOCUMENTATION_URL = "https://github.com/ghl-contacts-connectors/ghl-contacts-connectors/blob/main/docs/source-ghl-contacts.md"

SOURCE_PROPERTIES: Dict[str, Any] = {
    "start_date": {
        "title": "Start date",
        "description": "Only contacts updated at or after this time (UTC, ISO 8601) are read. Leave empty to read all history.",
        "type": "string",
        "format": "date-time",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?Z$",
        "examples": ["2024-01-01T00:00:00Z"],
        "order": 5,
    },
    "lookback_window_minutes": {
        "title": "Lookback window (minutes)",
        "description": "Each incremental sync re-reads contacts updated this long before the last saved cursor. GHL's search index lags writes by a few seconds to minutes; the lookback makes sure those late records are picked up.",
        "type": "integer",
        "default": 10,
        "minimum": 0,
        "maximum": 10080,
        "order": 6,
    },
    "page_size": {
        "title": "Page size",
        "description": "Contacts per search request (GHL allows at most 500).",
        "type": "integer",
        "default": 500,
        "minimum": 1,
        "maximum": 500,
        "order": 7,
    },
    "business_id": {
        "title": "Business ID",
        "description": "Optional. Read only the contacts (and their tasks, notes, appointments) of this GHL business.",
        "type": "string",
        "pattern": "^[A-Za-z0-9_-]*$",
        "order": 8,
    },
    "children_mode": {
        "title": "Tasks, notes and appointments: which contacts to read",
        "description": "'changed_contacts' (default): an incremental sync reads the tasks, notes and appointments of contacts created or updated since the last sync. Cheap, but a child written without touching its contact is only picked up when the contact changes. 'all_contacts': every sync reads the children of every contact (one request per contact and stream), a complete snapshot.",
        "type": "string",
        "enum": [CHANGED_CONTACTS, ALL_CONTACTS],
        "default": CHANGED_CONTACTS,
        "order": 9,
    },
    "concurrency": {
        "title": "Concurrent requests",
        "description": "How many requests may be in flight at once. The rate limit still paces them; more only helps when GHL is slow to answer.",
        "type": "integer",
        "default": 8,
        "minimum": 1,
        "maximum": 32,
        "order": 10,
    },
    "webhook_receiver": {
        "title": "Webhook receiver (optional)",
        "description": "A ghl-webhooks receiver (docs/webhooks.md) that stores GHL's webhook events. With it, records deleted in GHL arrive as deletion records (`_ab_cdc_deleted_at` set) in their streams, and contacts with a task, note or appointment event since the last sync get those children read again even when the contact's dateUpdated did not move. Without it, deletions are not seen.",
        "type": "object",
        "required": ["url", "token"],
        "additionalProperties": False,
        "properties": {
            "url": {
                "title": "Receiver URL",
                "description": "Base URL of the receiver's event API, e.g. http://ghl-webhooks:8780",
                "type": "string",
                "pattern": "^https?://[^\\s/]+(/.*)?$",
                "examples": ["http://127.0.0.1:8780"],
            },
            "token": {
                "title": "Receiver token",
                "description": "The bearer token the receiver was started with (--token-file or GHL_WEBHOOKS_TOKEN).",
                "type": "string",
                "airbyte_secret": True,
                "minLength": 1,
            },
        },
        "order": 11,
    },
}


def connection_spec() -> Dict[str, Any]:
    return connection_specification("GHL Contacts Source Spec", SOURCE_PROPERTIES)


def connector_specification() -> ConnectorSpecification:
    return ConnectorSpecificationSerializer.load(
        {
            "documentationUrl": DOCUMENTATION_URL,
            "connectionSpecification": connection_spec(),
            "advanced_auth": advanced_auth(OAUTH_SCOPES),
        }
    )
