"""Airbyte source for GoHighLevel (GHL) Contacts API v2: contacts, tasks, notes, appointments, custom fields."""

from source_ghl_contacts.source import SourceGhlContacts

__all__ = ["SourceGhlContacts"]
