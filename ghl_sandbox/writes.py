"""Write logic shared by the GHL routes and the admin `mutate` endpoint.

Every contact write (create, update, upsert, tags) moves the contact's `dateUpdated` forward and queues it
for the search index. Task and note writes do NOT touch the contact's `dateUpdated` (whether GHL does is
unverified, BEHAVIOUR 4.3; we emulate the harder case, so a connector must not rely on it). Tasks keep their
own `dateUpdated`, visible through the location task search. Each write also sends its GHL webhook event
(webhooks.py) when a receiver is registered.
"""
from __future__ import annotations

import orjson

from . import records, webhooks
from .errors import ApiError
from .util import iso_ms, new_id, normalize_phone, parse_dob, parse_time_ms

_SIMPLE = ("address1", "city", "state", "postalCode", "website", "timezone", "source", "country", "companyName",
           "assignedTo", "gender")


def duplicate_fields(setting: str) -> tuple[str, ...]:
    return {"email": ("email",), "phone": ("phone",), "email_phone": ("email", "phone"),
            "phone_email": ("phone", "email")}.get(setting, ("email", "phone"))


def _norm_value(field: str, value):
    if field == "phone":
        return normalize_phone(value)
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def find_duplicate(sb, location_id: str, body: dict, fields, exclude_id: str | None = None):
    """First (contact, field) among `fields` whose value in `body` matches an existing contact."""
    for f in fields:
        v = _norm_value(f, body.get(f))
        if not v:
            continue
        c = sb.store.find_contact_by(location_id, f, v, exclude_id)
        if c is not None:
            return c, f
    return None, None


def duplicate_error(c: dict, field: str) -> ApiError:
    name = records.full_name(c.get("firstName"), c.get("lastName"))
    return ApiError(400, {"statusCode": 400, "message": "This location does not allow duplicated contacts.",
                          "meta": {"contactId": c["id"], "contactName": name, "matchingField": field}})


def _custom_fields(sb, location_id: str, current: list, incoming: list) -> list:
    defs = sb.store.custom_fields(location_id, "contact")
    by_id = {d["id"]: d for d in defs}
    by_key = {}
    for d in defs:
        by_key[d["fieldKey"]] = d
        by_key[d["fieldKey"].split(".", 1)[-1]] = d
    out = {cf["id"]: cf["value"] for cf in current}
    order = [cf["id"] for cf in current]
    for item in incoming:
        d = by_id.get(item.get("id")) if item.get("id") else None
        if d is None and item.get("key"):
            d = by_key.get(item["key"])
        if d is None:
            continue  # unknown custom fields are ignored, as GHL does
        if "field_value" in item:
            v = item["field_value"]
        elif "fieldValue" in item:
            v = item["fieldValue"]
        else:
            v = item.get("value")
        if d["dataType"] in ("NUMERICAL", "MONETORY") and isinstance(v, str):
            try:
                v = float(v) if "." in v else int(v)
            except ValueError:
                pass
        if v is None or v == "" or v == []:
            out.pop(d["id"], None)
            continue
        if d["id"] not in out:
            order.append(d["id"])
        out[d["id"]] = v
    return [{"id": i, "value": out[i]} for i in order if i in out]


def normalize_tags(tags) -> list[str]:
    seen, out = set(), []
    for t in tags:
        t = t.strip().lower()  # GHL stores tags trimmed and lowercased
        if t and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def apply_contact_body(sb, c: dict, body: dict, *, tags_mode: str = "replace") -> dict:
    """Apply a create/update/upsert body to contact record `c` (in place)."""
    first = body.get("firstName", c.get("firstName")) if "firstName" in body else c.get("firstName")
    last = body.get("lastName", c.get("lastName")) if "lastName" in body else c.get("lastName")
    if body.get("name") and "firstName" not in body and "lastName" not in body:
        parts = body["name"].strip().split(" ", 1)
        first = parts[0]
        last = parts[1] if len(parts) > 1 else None
    for key, val in (("firstName", first), ("lastName", last)):
        if val:
            c[key] = val
            c[key + "LowerCase"] = val.lower()
        else:
            c.pop(key, None)
            c.pop(key + "LowerCase", None)
    name = records.full_name(c.get("firstName"), c.get("lastName"))
    if name:
        c["name"] = name
        c["fullNameLowerCase"] = name.lower()
    else:
        c.pop("name", None)
        c.pop("fullNameLowerCase", None)
    if "email" in body:
        e = body["email"]
        if e:
            c["email"] = e.strip().lower()
            c["emailLowerCase"] = c["email"]
        else:
            c.pop("email", None)
            c.pop("emailLowerCase", None)
    if "phone" in body:
        p = normalize_phone(body["phone"])
        if p:
            c["phone"] = p
        else:
            c.pop("phone", None)
    for k in _SIMPLE:
        if k in body:
            v = body[k]
            if v in (None, ""):
                c.pop(k, None)
            else:
                c[k] = v.upper() if k == "country" else v
    if "dnd" in body:
        c["dnd"] = body["dnd"]
    if "dndSettings" in body:
        ds = dict(c.get("dndSettings") or {})
        for ch, v in body["dndSettings"].items():
            ds[ch] = {"status": v["status"], "message": v.get("message", ""), "code": v.get("code", "")}
        c["dndSettings"] = ds
    if "inboundDndSettings" in body:
        c["inboundDndSettings"] = body["inboundDndSettings"]
    if "tags" in body:
        new = normalize_tags(body["tags"])
        if tags_mode == "add":
            c["tags"] = normalize_tags(list(c.get("tags", [])) + new)
        else:
            c["tags"] = new
    if "customFields" in body:
        c["customFields"] = _custom_fields(sb, c["locationId"], c.get("customFields", []), body["customFields"])
    if "dateOfBirth" in body:
        dob = parse_dob(body["dateOfBirth"]) if body["dateOfBirth"] else None
        if dob:
            c["dateOfBirth"] = dob + "T00:00:00.000Z"
        else:
            c.pop("dateOfBirth", None)
    return c


def _order(c: dict) -> dict:
    """Keep the id/locationId first, like GHL's documents."""
    head = {"id": c["id"], "locationId": c["locationId"]}
    head.update((k, v) for k, v in c.items() if k not in head)
    return head


def new_contact(sb, location_id: str, body: dict) -> dict:
    now = sb.stamp()
    c = {"id": new_id(sb.rng), "locationId": location_id}
    apply_contact_body(sb, c, body)
    c.setdefault("type", "lead")
    c.setdefault("source", "public api")
    c.setdefault("dnd", False)
    c.setdefault("tags", [])
    c.setdefault("customFields", [])
    c["dateAdded"] = iso_ms(now)
    c["dateUpdated"] = iso_ms(now)
    c.setdefault("additionalEmails", [])
    c.setdefault("followers", [])
    c = _order(c)
    c["_dateAddedMs"] = now
    c["_dateUpdatedMs"] = now
    sb.store.insert_contacts([c], index=False)
    sb.touch_index(c["id"])
    webhooks.contact_created(sb, c)
    return c


def save_contact(sb, c: dict) -> dict:
    """Persist a changed contact, moving dateUpdated forward."""
    records.contact_internal_ms(c)
    now = sb.stamp(c["_dateUpdatedMs"])
    c["dateUpdated"] = iso_ms(now)
    c["_dateUpdatedMs"] = now
    before = sb.store.get_contact(c["id"]) if sb.webhooks.active else None
    sb.store.replace_contact(c)
    sb.touch_index(c["id"])
    webhooks.contact_changed(sb, before, c)
    return c


def delete_contact(sb, contact_id: str) -> None:
    before = sb.store.get_contact(contact_id) if sb.webhooks.active else None
    sb.store.delete_contact(contact_id, sb.stamp())
    webhooks.contact_deleted(sb, before)
    sb.touch_index(contact_id)


# -- tasks ---------------------------------------------------------------------------------------------
def new_task(sb, contact_id: str, location_id: str, body: dict) -> dict:
    now = sb.stamp()
    t = {"id": new_id(sb.rng), "title": body["title"]}
    if body.get("body") is not None:
        t["body"] = body["body"]
    if body.get("assignedTo"):
        t["assignedTo"] = body["assignedTo"]
    t["dueDate"] = iso_ms(parse_time_ms(body["dueDate"]))
    t["completed"] = bool(body["completed"])
    t["contactId"] = contact_id
    sb.store.insert_tasks([(t["id"], contact_id, location_id, now, now, 0, orjson.dumps(t))])
    webhooks.task_event(sb, "TaskCreate", location_id, t, now)
    return t


def update_task(sb, task_id: str, task: dict, body: dict, prev_updated: int, location_id: str | None = None,
                date_added_ms: int | None = None) -> dict:
    """GHL has no TaskUpdate webhook: only a change to completed=true sends one (TaskComplete)."""
    was_completed = bool(task.get("completed"))
    for k in ("title", "body", "assignedTo", "completed"):
        if k in body:
            if body[k] is None:
                task.pop(k, None)
            else:
                task[k] = body[k]
    if "dueDate" in body:
        task["dueDate"] = iso_ms(parse_time_ms(body["dueDate"]))
    sb.store.update_task(task_id, task, sb.stamp(prev_updated))
    if task.get("completed") and not was_completed and location_id:
        webhooks.task_event(sb, "TaskComplete", location_id, task, date_added_ms)
    return task


# -- notes ---------------------------------------------------------------------------------------------
def new_note(sb, contact_id: str, location_id: str, body: dict) -> dict:
    now = sb.stamp()
    n = {"id": new_id(sb.rng), "body": body["body"]}
    if body.get("userId"):
        n["userId"] = body["userId"]
    n["dateAdded"] = iso_ms(now)
    n["contactId"] = contact_id
    for k in ("title", "color"):
        if body.get(k) is not None:
            n[k] = body[k]
    n["pinned"] = bool(body.get("pinned", False))
    sb.store.insert_notes([(n["id"], contact_id, location_id, now, orjson.dumps(n))])
    webhooks.note_event(sb, "NoteCreate", location_id, n)
    return n
