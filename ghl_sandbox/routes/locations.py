"""Location routes: the location (with its timezone), the location-wide task search and the custom-field
definitions (list and create)."""
from __future__ import annotations

import re

import orjson

from .. import records
from ..errors import unprocessable
from ..util import new_id, trace_id
from ..validation import check_task_search
from . import CONTACTS_VERSION, route


@route("GET", "/locations/{locationId}", scope="locations.readonly", version=CONTACTS_VERSION)
async def get_location(ctx):
    """Spec `GetLocationByIdSuccessfulResponseDto`: `{location: {id, companyId, name, timezone, …}}`; the
    sandbox keeps id, companyId, name and timezone (the IANA zone of the sub-account's settings)."""
    loc = ctx.params["locationId"]
    ctx.check_location(loc)
    info = ctx.sb.store.location(loc)
    location = {"id": loc, "companyId": info["companyId"] if info else "", "name": info["name"] if info else "",
                "timezone": ctx.sb.store.location_timezone(loc) or "UTC"}
    return 200, {"location": location, "traceId": trace_id()}


@route("POST", "/locations/{locationId}/tasks/search", scope="locations/tasks.readonly",
       version=CONTACTS_VERSION, write=False)
async def search_tasks(ctx):
    """Body {contactId[], completed, assignedTo[], query, businessId, limit (25), skip (0)}. Records use `_id`
    and carry locationId, deleted, status, dateAdded, dateUpdated (RocketRide). Deleted tasks are listed
    with `deleted: true`. Order: newest dateAdded first."""
    loc = ctx.params["locationId"]
    ctx.check_location(loc)
    body = ctx.json()
    errs = check_task_search(body)  # types and undeclared properties: the spec layer (TaskSearchParamsDto)
    if errs:
        raise unprocessable(errs)
    sb = ctx.sb
    biz_contacts = None
    if body.get("businessId"):
        rows, _ = sb.store.contacts_by_business(loc, body["businessId"], 1_000_000, 0, None)
        biz_contacts = [c["id"] for c in rows]
    limit = min(int(body.get("limit", 25)), 1000)
    rows = sb.store.search_tasks(loc, body.get("contactId"), body.get("completed"), body.get("assignedTo"),
                                 body.get("query"), biz_contacts, limit, int(body.get("skip", 0)))
    users = sb.users_by_id(loc)
    contacts: dict = {}
    out = []
    for r in rows:
        cid = r["task"]["contactId"]
        if cid not in contacts:
            contacts[cid] = sb.store.get_contact(cid)
        out.append(records.task_search_item(r, contacts[cid], users))
    return 200, {"tasks": out, "traceId": trace_id()}


@route("GET", "/locations/{locationId}/customFields", scope="locations/customFields.readonly",
       version=CONTACTS_VERSION)
async def custom_fields(ctx):
    loc = ctx.params["locationId"]
    ctx.check_location(loc)
    model = ctx.query.get("model") or "all"  # the enum: the spec layer
    return 200, {"customFields": ctx.sb.store.custom_fields(loc, model), "traceId": trace_id()}


@route("POST", "/locations/{locationId}/customFields", scope="locations/customFields.write",
       version=CONTACTS_VERSION)
async def create_custom_field(ctx):
    """Creates a custom field (spec: 201 `{customField}`). GHL derives the `fieldKey` from the name,
    `<model>.<name lowercased, non-alphanumerics as _>` (choice: the suffix `_1`, `_2`… for a key already taken
    is not documented)."""
    loc = ctx.params["locationId"]
    ctx.check_location(loc)
    body = ctx.json()  # types, enums and undeclared properties: the spec layer (CreateCustomFieldsDTO)
    errs = [f"{k} should not be empty" for k in ("name", "dataType") if not str(body.get(k) or "").strip()]
    if errs:
        raise unprocessable(errs)
    model = body.get("model", "contact")
    position = body.get("position", 0)
    sb = ctx.sb
    taken = {f["fieldKey"] for f in sb.store.custom_fields(loc, None)}
    base = f"{model}." + (re.sub(r"[^a-z0-9]+", "_", body["name"].lower()).strip("_") or "field")
    key, n = base, 0
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    field = {"id": new_id(sb.rng), "name": body["name"], "fieldKey": key, "placeholder": body.get("placeholder", ""),
             "dataType": body["dataType"], "position": position, "picklistOptions": [],
             "picklistImageOptions": [], "isAllowedCustomOption": False,
             "isMultiFileAllowed": bool(body.get("isMultipleFile", False)),
             "maxFileLimit": body.get("maxNumberOfFiles", 0), "locationId": loc, "model": model}
    sb.store.insert_custom_fields([(field["id"], loc, key, model, field["dataType"], position, orjson.dumps(field))])
    return 201, {"customField": field, "traceId": trace_id()}
