"""How each object is found again in GHL.

- contact: the record's `ghlId` when given; else its email through GHL's duplicate lookup
  (`GET /contacts/search/duplicate`, the same rule GHL applies on create); a create that GHL still answers
  with its duplicate 400 resolves to `meta.contactId`.
- a contact referenced by a task, note, appointment or tag: `contactId` (a GHL id) when given; else
  `contactRankrId` (a contact's Rankr id or primary key), through the contacts written in this sync, then (when `rankr_id_custom_field` is set)
  a search on that custom field; else `contactEmail` through the duplicate lookup.
- task, note: `ghlId` when given; else the marker of the record's key (`[rankr:<rankrId>]`, or
  `[key:<primary key or content key>]`, see identity) the destination puts in the body, looked up in the
  contact's list (GHL has no external id on them).
- appointment: `ghlId`; else the marker in its description (`notes` when listed); else the same calendar
  and start time on the contact.

More than one GHL record carrying the same marker is ambiguous: the record is rejected with the GHL ids
found, and nothing is guessed or changed.
"""

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from destination_ghl_contacts.ghl import items, one
from destination_ghl_contacts import identity
from destination_ghl_contacts.mapping import parse_time


class Ambiguous(Exception):
    def __init__(self, what: str, ids: Sequence[str]):
        super().__init__(f"ambiguous match: {len(ids)} GHL {what} carry it ({', '.join(ids[:5])}); "
                         "remove the copies in GHL or give the record's ghlId")
        self.ids = list(ids)


def duplicate_lookup(ghl, email: str) -> Optional[Dict[str, Any]]:
    """The contact GHL's duplicate rule matches for this email, or None."""
    reply = ghl.get("/contacts/search/duplicate", params={"locationId": ghl.location_id, "email": email.strip().lower()})
    if not reply.answered:
        return None
    # GHL documents no body for "no duplicate": an absent contact means none (a create is still refused by
    # GHL's own duplicate rule); a contact of another shape is malformed.
    return one(reply, "contact", "the duplicate lookup", absent_is_none=True)


def contact_by_id(ghl, contact_id: str) -> Optional[Dict[str, Any]]:
    reply = ghl.get(f"/contacts/{quote(contact_id, safe='')}")
    return one(reply, "contact", "a contact read") if reply.answered else None


def contact_by_custom_field(ghl, field_id: str, value: str) -> Optional[str]:
    """The id of the one contact whose custom field `field_id` equals `value` (search may lag writes)."""
    body = {"locationId": ghl.location_id, "pageLimit": 2,
            "filters": [{"field": f"customFields.{field_id}", "operator": "eq", "value": value}]}
    reply = ghl.call("POST", "/contacts/search", json=body)
    if not reply.answered:
        return None
    ids = [c["id"] for c in items(reply, "contacts", "a contact search")]
    if len(ids) > 1:
        raise Ambiguous("contacts", ids)
    return ids[0] if ids else None


def by_marker(items: Sequence[Mapping[str, Any]], record: Mapping[str, Any], text_of: Callable[[Mapping], str],
              what: str) -> Optional[Mapping[str, Any]]:
    """The one listed item whose text carries the record's marker (its key, see identity)."""
    tag = identity.marker(record)
    hits = [item for item in items if tag in (text_of(item) or "")]
    if len(hits) > 1:
        raise Ambiguous(what, [h.get("id", "?") for h in hits])
    return hits[0] if hits else None


def by_id(items: Sequence[Mapping[str, Any]], ghl_id: Optional[str]) -> Optional[Mapping[str, Any]]:
    if not ghl_id:
        return None
    return next((item for item in items if item.get("id") == ghl_id), None)


def find_child(items: Sequence[Mapping[str, Any]], record: Mapping[str, Any], text_of: Callable[[Mapping], str],
               what: str) -> Optional[Mapping[str, Any]]:
    """A task or note: explicit GHL id, else the marker."""
    return by_id(items, record.get("ghlId")) or by_marker(items, record, text_of, what)


def find_appointment(events: Sequence[Mapping[str, Any]], record: Mapping[str, Any],
                     calendar_id: str) -> Optional[Mapping[str, Any]]:
    found = by_id(events, record.get("ghlId")) or by_marker(
        events, record, lambda e: f"{e.get('notes') or ''} {e.get('description') or ''}", "appointments")
    if found:
        return found
    start = parse_time(record["startTime"])
    same_slot = [e for e in events if e.get("calendarId") == calendar_id and e.get("startTime")
                 and parse_time(str(e["startTime"])) == start]
    if len(same_slot) > 1:
        raise Ambiguous("appointments at that calendar and start time", [e.get("id", "?") for e in same_slot])
    return same_slot[0] if same_slot else None


def split_custom_ref(name: str) -> Tuple[str, str]:
    """`id:<id>` -> ("id", id); anything else is a key."""
    return ("id", name[3:]) if name.startswith("id:") else ("key", name)


def normalized_tags(tags: Optional[List[str]]) -> set:
    return {t.strip().lower() for t in tags or [] if t}
