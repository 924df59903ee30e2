"""From an incoming record to GHL request bodies.

Two steps: `rename` applies the user's field mappings (incoming name -> input-schema name), then the
`*_body` functions build GHL bodies holding only fields GHL declares for that call (GHL answers 422 to any
undeclared property).
"""

from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional

from destination_ghl_contacts import identity

# Contact fields copied as they are (UpdateContactDto; create adds locationId).
CONTACT_FIELDS = ("firstName", "lastName", "email", "phone", "companyName", "source", "website", "address1",
                  "city", "state", "postalCode", "country", "timezone", "dateOfBirth")
CUSTOM = "customFields"
ID_PREFIX = "id:"


def fold_custom_fields(record: Mapping[str, Any]) -> Dict[str, Any]:
    """Top-level `customFields.<key>` fields (what Data Activation maps onto, see data_activation) into
    `customFields`."""
    flat = [name for name in record if isinstance(name, str) and name.startswith(CUSTOM + ".")]
    if not flat:
        return dict(record)
    out = {k: v for k, v in record.items() if k not in flat}
    custom = dict(out.get(CUSTOM) or {}) if isinstance(out.get(CUSTOM), dict) else {}
    custom.update({name[len(CUSTOM) + 1:]: record[name] for name in flat})
    out[CUSTOM] = custom
    return out


def rename(record: Mapping[str, Any], mappings: Mapping[str, str]) -> Dict[str, Any]:
    """Apply `{incoming: target}`; a name is a field or `customFields.<key>`; an empty target drops it."""
    if not mappings:
        return dict(record)
    out = {k: v for k, v in record.items() if k not in mappings}
    custom = dict(out.get(CUSTOM) or {})
    for key in list(custom):
        if f"{CUSTOM}.{key}" in mappings:
            custom.pop(key)
    for source, target in mappings.items():
        value = _get(record, source)
        if value is None or not target:
            continue
        if target.startswith(CUSTOM + "."):
            custom[target[len(CUSTOM) + 1:]] = value
        else:
            out[target] = value
    if custom or CUSTOM in out:
        out[CUSTOM] = custom
    return out


def _get(record: Mapping[str, Any], name: str) -> Any:
    if name.startswith(CUSTOM + "."):
        return (record.get(CUSTOM) or {}).get(name[len(CUSTOM) + 1:])
    return record.get(name)


def with_marker(text: Optional[str], tag: str) -> str:
    """`text` followed by the record's marker (identity.marker), which finds it again in GHL."""
    text = (text or "").rstrip()
    return f"{text}\n\n{tag}" if text else tag


def custom_field_entries(values: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """GHL's write shape: `[{"id"|"key": ..., "field_value": ...}]`."""
    entries = []
    for name, value in values.items():
        field = {"id": name[len(ID_PREFIX):]} if name.startswith(ID_PREFIX) else {"key": name}
        entries.append({**field, "field_value": value})
    return entries


def contact_fields(record: Mapping[str, Any], rankr_id_field: Optional[str]) -> Dict[str, Any]:
    """Scalar contact fields plus custom fields, without tags (tags are only ever added). `rankr_id_field`
    receives the record's stable key (its Rankr id or primary key)."""
    body = {k: record[k] for k in CONTACT_FIELDS if record.get(k) not in (None, "")}
    if "email" in body:
        body["email"] = body["email"].strip().lower()
    custom = {k: v for k, v in (record.get(CUSTOM) or {}).items() if v is not None}
    owner = identity.stable_value(record)
    if rankr_id_field and owner:
        custom[rankr_id_field] = owner
    if custom:
        body[CUSTOM] = custom_field_entries(custom)
    return body


def contact_create_body(record: Mapping[str, Any], location_id: str, rankr_id_field: Optional[str]) -> Dict[str, Any]:
    body = {"locationId": location_id, **contact_fields(record, rankr_id_field)}
    tags = tag_list(record.get("tags"))
    if tags:
        body["tags"] = tags  # a new contact has no tags to lose
    return body


def tag_list(tags: Optional[List[str]]) -> List[str]:
    return list(dict.fromkeys(t.strip() for t in (tags or []) if t and t.strip()))


def utc_seconds(value: str) -> str:
    """ISO with offset -> UTC `YYYY-MM-DDTHH:MM:SSZ` (GHL's task update refuses milliseconds)."""
    return parse_time(value).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    """ISO with Z or an offset, or GHL's `YYYY-MM-DD HH:MM:SS` (UTC) from its appointment list."""
    text = value.strip().replace("Z", "+00:00")
    if " " in text and "T" not in text:
        text = text.replace(" ", "T")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def task_body(record: Mapping[str, Any]) -> Dict[str, Any]:
    body = {"title": record["title"], "body": with_marker(record.get("body"), identity.marker(record)),
            "dueDate": utc_seconds(record["dueDate"]), "completed": record["status"] == "completed"}
    if record.get("assignedTo"):
        body["assignedTo"] = record["assignedTo"]
    return body


def note_body(record: Mapping[str, Any]) -> Dict[str, Any]:
    return {"body": with_marker(record["body"], identity.marker(record))}


def appointment_body(record: Mapping[str, Any], location_id: str, contact_id: str, calendar_id: str,
                     user_id: str) -> Dict[str, Any]:
    body = {"calendarId": calendar_id, "locationId": location_id, "contactId": contact_id,
            "startTime": record["startTime"], "endTime": record["endTime"], "title": record["title"],
            "appointmentStatus": record["status"], "assignedUserId": user_id,
            "description": identity.marker(record), "ignoreFreeSlotValidation": True}
    if record.get("address"):
        body["address"] = record["address"]
    return body
