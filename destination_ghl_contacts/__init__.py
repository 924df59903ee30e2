"""Airbyte destination writing Rankr contacts, tasks, notes, appointments and tags into GHL (API v2)."""

from destination_ghl_contacts.destination import DestinationGhlContacts

__all__ = ["DestinationGhlContacts"]
