"""GHL record shapes per route.

The store keeps each contact in the shape of `GET /contacts/{id}` (spec `GetContectByIdSchema` plus the keys
observed live). The other routes derive their own shapes from it:

* `GET /contacts/` items: `firstName`/`lastName` lowercased, cased values in `firstNameRaw`/`lastNameRaw`,
  `contactName`, and a per-record `startAfter: [dateAdded epoch ms, id]` (BEHAVIOUR 3.2, 4.1).
* `POST /contacts/search` items: `address` (not `address1`), `dateOfBirth` as epoch ms, `businessName`,
  `searchAfter` (BEHAVIOUR 3.3, 4.1).
* `POST /contacts/` adds `deleted: false` (spec `CreateContactSchema`).
"""
from __future__ import annotations

from .util import dob_to_ms, iso_ms, parse_time_ms


def contact_internal_ms(c: dict) -> dict:
    """Attach the epoch-ms helper keys used by the store."""
    c["_dateAddedMs"] = parse_time_ms(c["dateAdded"])
    c["_dateUpdatedMs"] = parse_time_ms(c["dateUpdated"])
    return c


def public(c: dict) -> dict:
    return {k: v for k, v in c.items() if k[0] != "_"}


def full_name(first: str | None, last: str | None) -> str:
    return " ".join(x for x in (first, last) if x)


def create_shape(c: dict) -> dict:
    out = public(c)
    out["deleted"] = False
    if "dateOfBirth" in out:
        y, m, d = out["dateOfBirth"][:10].split("-")
        out["birthMonth"] = int(m)
        out["birthDay"] = int(d)
    return out


_LIST_KEYS = ("id", "locationId", "contactName", "firstName", "lastName", "firstNameRaw", "lastNameRaw",
              "companyName", "email", "phone", "dnd", "dndSettings", "type", "source", "assignedTo", "city",
              "state", "postalCode", "address1", "country", "website", "timezone", "dateAdded", "dateUpdated",
              "dateOfBirth", "businessId", "tags", "followers", "additionalEmails", "customFields",
              "attributions")


def list_item(c: dict, date_added_ms: int) -> dict:
    """A `GET /contacts/` record (deprecated list)."""
    src = dict(c)
    first, last = c.get("firstName"), c.get("lastName")
    if first is not None:
        src["firstNameRaw"] = first
        src["firstName"] = first.lower()
    if last is not None:
        src["lastNameRaw"] = last
        src["lastName"] = last.lower()
    name = full_name(first, last)
    if name:
        src["contactName"] = name.lower()
    if "attributionSource" in c:
        src["attributions"] = [dict(c["attributionSource"], isFirst=True)]
    src.setdefault("followers", [])
    src.setdefault("additionalEmails", [])
    out = {k: src[k] for k in _LIST_KEYS if k in src}
    out["startAfter"] = [date_added_ms, c["id"]]
    return out


_SEARCH_KEYS = ("id", "locationId", "contactName", "firstName", "lastName", "firstNameLowerCase",
                "lastNameLowerCase", "email", "phone", "phoneLabel", "additionalPhones", "additionalEmails",
                "companyName", "businessName", "businessId", "address", "city", "state", "postalCode",
                "country", "website", "timezone", "source", "type", "dnd", "dndSettings", "inboundDndSettings",
                "validEmail", "assignedTo", "followers", "tags", "customFields", "attributionSource",
                "lastAttributionSource", "dateOfBirth", "dateAdded", "dateUpdated")


def search_item(c: dict, business_name: str | None, search_after: list) -> dict:
    """A `POST /contacts/search` record."""
    src = dict(c)
    name = full_name(c.get("firstName"), c.get("lastName"))
    if name:
        src["contactName"] = name
    if "address1" in c:
        src["address"] = c["address1"]
    if "dateOfBirth" in c:
        src["dateOfBirth"] = dob_to_ms(c["dateOfBirth"][:10])
    if business_name:
        src["businessName"] = business_name
    if c.get("email"):
        src["validEmail"] = True
    if c.get("phone"):
        src["phoneLabel"] = "Mobile"
    src.setdefault("additionalPhones", [])
    src.setdefault("additionalEmails", [])
    src.setdefault("followers", [])
    out = {k: src[k] for k in _SEARCH_KEYS if k in src}
    out["searchAfter"] = search_after
    return out


TASK_PUBLIC_KEYS = ("id", "title", "body", "assignedTo", "dueDate", "completed", "contactId")


def task_search_item(row: dict, contact: dict | None, users: dict[str, dict]) -> dict:
    """A `POST /locations/{id}/tasks/search` record: `_id`, plus timestamps and `deleted` (RocketRide)."""
    t = row["task"]
    out = {"_id": t["id"]}
    for k in ("title", "body", "assignedTo", "dueDate", "completed", "contactId"):
        if k in t:
            out[k] = t[k]
    out["locationId"] = row["location_id"]
    out["deleted"] = row["deleted"]
    out["status"] = "completed" if t.get("completed") else "incompleted"
    out["dateAdded"] = iso_ms(row["date_added"])
    out["dateUpdated"] = iso_ms(row["date_updated"])
    out["createdAt"] = out["dateAdded"]
    out["updatedAt"] = out["dateUpdated"]
    u = users.get(t.get("assignedTo") or "")
    if u:
        out["assignedToUserDetails"] = {"id": u["id"], "firstName": u["firstName"], "lastName": u["lastName"],
                                        "email": u["email"]}
    if contact:
        out["contactDetails"] = {k: contact[k] for k in ("id", "firstName", "lastName", "email", "phone")
                                 if k in contact}
    return out
