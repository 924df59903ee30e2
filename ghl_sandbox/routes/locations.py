"""Location routes: the location-wide task search and the custom-field definitions."""
from __future__ import annotations

from .. import records
from ..errors import unprocessable
from ..util import trace_id
from ..validation import check_task_search
from . import CONTACTS_VERSION, route


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
