"""What every writer shares during one sync: GHL, the settings, the report, the contact directory, and the
few lookups made once (custom-field definitions, calendars) and the delete budget."""

import threading
from typing import Any, Dict, List, Mapping, Optional, Tuple

from airbyte_cdk.models import Level
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_ghl_contacts import matching
from destination_ghl_contacts.buffer import Buffer
from destination_ghl_contacts.ghl import GHL, Malformed, items
from destination_ghl_contacts.identity import Identity
from destination_ghl_contacts.report import Report
from destination_ghl_contacts.spec import Settings

DRY_RUN_PREFIX = "dry-run:"


def is_placeholder(contact_id: str) -> bool:
    """A contact a dry run would create: it has no GHL id, so nothing can be looked up under it."""
    return contact_id.startswith(DRY_RUN_PREFIX)


class WriteContext:
    def __init__(self, ghl: GHL, settings: Settings, report: Report, buffer: Buffer):
        self.ghl = ghl
        self.settings = settings
        self.report = report
        self.buffer = buffer
        self.identity = Identity()  # the sync's keys and contact owners; write() gives it the catalog's keys
        self.dry_run = settings.dry_run
        self._lock = threading.Lock()
        self._deletes = 0
        self._custom_fields: Optional[Dict[str, str]] = None
        self._custom_fields_loaded = False
        self.custom_field_definitions: Dict[str, Dict[str, Any]] = {}  # id -> GHL's definition, once loaded
        self._calendars: Optional[Dict[str, List[str]]] = None
        self._ignored_deletes_noted = False

    # -- deletes --------------------------------------------------------------------------------
    def deletes_ignored(self) -> bool:
        if self.settings.deletes_enabled:
            return False
        with self._lock:
            if not self._ignored_deletes_noted:
                self._ignored_deletes_noted = True
                self.report.note(Level.INFO, "Records marked deleted are left alone in GHL: deletes_enabled is off.")
        return True

    def take_delete(self) -> bool:
        with self._lock:
            if self._deletes >= self.settings.max_deletes:
                return False
            self._deletes += 1
            return True

    def delete_cap_reason(self) -> str:
        return (f"delete not applied: this sync reached max_deletes_per_sync ({self.settings.max_deletes}); "
                "raise it if these deletes are intended")

    # -- custom fields ---------------------------------------------------------------------------
    def custom_field_ids(self) -> Optional[Dict[str, str]]:
        """key (both `x` and `contact.x`) or `id:<id>` -> field id; None when the token may not read them."""
        with self._lock:
            if not self._custom_fields_loaded:
                self._custom_fields = self._load_custom_fields()
                self._custom_fields_loaded = True
            return self._custom_fields

    def _load_custom_fields(self) -> Optional[Dict[str, str]]:
        try:
            reply = self.ghl.get(f"/locations/{self.ghl.location_id}/customFields", params={"model": "contact"})
            fields = items(reply, "customFields", "the custom-field definitions") if reply.answered else None
        except (AirbyteTracedException, Malformed):
            fields = None
        if fields is None:
            self.report.note(Level.WARN, "Could not read the location's custom-field definitions (the token may lack "
                             "locations/customFields.readonly, or GHL's answer was malformed): custom fields are "
                             "sent on every update.")
            return None
        self.custom_field_definitions = {field["id"]: field for field in fields}  # custom_values checks by type
        ids: Dict[str, str] = {}
        for field in fields:
            key = str(field.get("fieldKey") or "")
            ids[key] = ids[key.split(".", 1)[-1]] = ids["id:" + field["id"]] = field["id"]
        return ids

    # -- calendars ---------------------------------------------------------------------------------
    def calendar_members(self, calendar_id: str) -> List[str]:
        with self._lock:
            if self._calendars is None:
                reply = self.ghl.get("/calendars/", params={"locationId": self.ghl.location_id}, calendars=True)
                # a malformed answer raises Malformed: the appointment waiting for it is rejected with the reason
                calendars = items(reply, "calendars", "the calendar list") if reply.answered else []
                self._calendars = {c["id"]: [m["userId"] for m in c.get("teamMembers") or []
                                             if isinstance(m, dict) and m.get("userId")] for c in calendars}
            return self._calendars.get(calendar_id, [])

    # -- contacts referred to by children ------------------------------------------------------------
    def resolve_contact(self, record: Mapping[str, Any]) -> Tuple[Optional[str], str]:
        """(GHL contact id, "") or (None, why not)."""
        if record.get("contactId"):
            return record["contactId"], ""
        if record.get("contactRankrId"):
            return self._by_rankr_id(record["contactRankrId"])
        email = record.get("contactEmail") or ""
        known = self.buffer.contact_for_email(email)
        if known:
            return known, ""
        found = matching.duplicate_lookup(self.ghl, email)
        if found:
            self.buffer.remember(found["id"], None, email)
            return found["id"], ""
        return None, f"contactEmail: no GHL contact has the email {email!r}"

    def _by_rankr_id(self, rankr_id: str) -> Tuple[Optional[str], str]:
        known = self.buffer.contact_for_rankr(rankr_id)
        if known:
            return known, ""
        field = self.settings.rankr_id_custom_field
        if not field:
            return None, (f"contactRankrId: contact {rankr_id} was not written in this sync (or was rejected); set "
                          "rankr_id_custom_field to find contacts of earlier syncs, or give contactId/contactEmail")
        field_id = (self.custom_field_ids() or {}).get(field)
        if not field_id:
            return None, f"contactRankrId: the custom field {field!r} (rankr_id_custom_field) does not exist in GHL"
        try:
            ghl_id = matching.contact_by_custom_field(self.ghl, field_id, rankr_id)
        except (matching.Ambiguous, Malformed) as exc:
            return None, f"contactRankrId: {exc}"
        if not ghl_id:
            return None, f"contactRankrId: no GHL contact carries Rankr id {rankr_id} (not in this sync, not in GHL)"
        self.buffer.remember(ghl_id, rankr_id, None)
        return ghl_id, ""
