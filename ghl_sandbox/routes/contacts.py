"""Contacts: list, search, duplicate lookup, business, get/create/update/delete, upsert, tags."""
from __future__ import annotations

from urllib.parse import urlencode

import orjson

from .. import records, writes
from ..errors import ApiError, unprocessable
from ..search import compile_search, run_search
from ..spec_validation import MAX_SAFE
from ..util import trace_id
from ..validation import check_contact
from . import CONTACTS_VERSION, route

V = CONTACTS_VERSION
R = "contacts.readonly"
W = "contacts.write"
_loads = orjson.loads


def _int_param(query: dict, name: str, default: int, minimum: int = 0, maximum: int = MAX_SAFE) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        if not raw.isascii():
            raise ValueError(raw)
        v = int(raw)
    except ValueError:
        raise unprocessable([f"{name} must be a number conforming to the specified constraints"])
    if v < minimum:
        raise unprocessable([f"{name} must not be less than {minimum}"])
    if v > maximum:
        raise unprocessable([f"{name} must not be greater than {maximum}"])
    return v


@route("GET", "/contacts/", scope=R, version=V)
async def list_contacts(ctx):
    """Deprecated list: newest dateAdded first; `startAfter`/`startAfterId` cursor; `meta`; limit <= 100."""
    q = ctx.query
    loc = q.get("locationId")
    ctx.check_location(loc)  # missing locationId -> 403 (n8n-io/n8n#11353)
    limit = _int_param(q, "limit", 20, 1, 100)
    start_after = None
    if q.get("startAfter"):
        try:
            start_after = int(q["startAfter"])  # the spec layer let only an ASCII number within 2**53 through
        except ValueError:
            raise unprocessable(["startAfter must be a number conforming to the specified constraints"])
    start_after_id = q.get("startAfterId") or None
    rows, total, before = ctx.sb.store.list_contacts(loc, limit, start_after, start_after_id, q.get("query"))
    contacts = [records.list_item(c, ms) for ms, c in rows]
    current = before // limit + 1
    has_more = before + len(rows) < total
    meta = {"total": total, "currentPage": current, "nextPage": current + 1 if has_more else None,
            "prevPage": current - 1 if current > 1 else None}
    if rows:
        last_ms, last = rows[-1]
        meta["startAfter"] = last_ms
        meta["startAfterId"] = last["id"]
        if has_more:
            params = {"locationId": loc, "startAfter": last_ms, "startAfterId": last["id"], "limit": limit}
            if q.get("query"):
                params["query"] = q["query"]
            meta["nextPageUrl"] = f"{ctx.sb.base_url}/contacts/?{urlencode(params)}"
        else:
            meta["nextPageUrl"] = None
    else:
        meta.update(startAfter=None, startAfterId=None, nextPageUrl=None)
    return 200, {"contacts": contacts, "count": total, "meta": meta, "traceId": trace_id()}


@route("POST", "/contacts/search", scope=R, version=V, write=False)
async def search_contacts(ctx):
    body = ctx.json()
    plan = compile_search(body)
    ctx.check_location(plan.location_id)
    sb = ctx.sb
    sb.flush_index()
    rows, total = run_search(sb.store.conn, plan)
    names = sb.store.business_names
    out = []
    n = len(plan.sort)
    for row in rows:
        c = _loads(row[0])
        out.append(records.search_item(c, names.get(c.get("businessId") or ""), list(row[1:1 + n]) + [c["id"]]))
    return 200, {"contacts": out, "total": total, "traceId": trace_id()}


@route("GET", "/contacts/search/duplicate", scope=R, version=V)
async def search_duplicate(ctx):
    """The contact the duplicate rules would match: the location's unique identifier(s) when duplicates are
    not allowed, otherwise email first, then phone (spec)."""
    q = ctx.query
    loc = q.get("locationId")
    ctx.check_location(loc)
    settings = ctx.sb.store.location(loc)
    fields = ("email", "phone") if settings["allowDuplicates"] else writes.duplicate_fields(settings["upsertMatch"])
    body = {"email": q.get("email"), "phone": q.get("number")}
    c, _ = writes.find_duplicate(ctx.sb, loc, body, fields)
    return 200, {"contact": c, "traceId": trace_id()}


@route("GET", "/contacts/business/{businessId}", scope=R, version=V)
async def contacts_by_business(ctx):
    q = ctx.query
    loc = q.get("locationId")
    ctx.check_location(loc)
    limit = _int_param(q, "limit", 25, 1, 100)
    skip = _int_param(q, "skip", 0, 0)
    rows, total = ctx.sb.store.contacts_by_business(loc, ctx.params["businessId"], limit, skip, q.get("query"))
    contacts = [records.list_item(c, records.contact_internal_ms(dict(c))["_dateAddedMs"]) for c in rows]
    return 200, {"contacts": contacts, "count": total, "traceId": trace_id()}


@route("GET", "/contacts/{contactId}", scope=R, version=V)
async def get_contact(ctx):
    cid = ctx.params["contactId"]
    row = ctx.sb.store.get_contact_raw(cid)
    if row is None:
        raise ApiError(400, {"error": f"Contact with id {cid} not found", "status": 400})
    ctx.check_location(row[0])
    return 200, b'{"contact":' + row[1] + b',"traceId":"' + trace_id().encode() + b'"}'


def _require_identity(body: dict) -> None:
    if not any(body.get(k) for k in ("firstName", "lastName", "name", "email", "phone")):
        # Observed: a create with only locationId answers HTTP 400 whose body says 422 (RocketRide).
        raise unprocessable(["Contact must have at least one of email, phone, firstName, lastName or name"],
                            http_status=400)


@route("POST", "/contacts/", scope=W, version=V)
async def create_contact(ctx):
    body = ctx.json()
    errs = check_contact(body)
    if errs:
        raise unprocessable(errs)
    loc = body["locationId"]
    ctx.check_location(loc)
    _require_identity(body)
    sb = ctx.sb
    settings = sb.store.location(loc)
    if not settings["allowDuplicates"]:
        dup, field = writes.find_duplicate(sb, loc, body, writes.duplicate_fields(settings["upsertMatch"]))
        if dup is not None:
            raise writes.duplicate_error(dup, field)
    c = writes.new_contact(sb, loc, body)
    return 201, {"contact": records.create_shape(c), "traceId": trace_id()}


@route("PUT", "/contacts/{contactId}", scope=W, version=V)
async def update_contact(ctx):
    body = ctx.json()
    errs = check_contact(body)
    if errs:
        raise unprocessable(errs)
    c = ctx.contact(ctx.params["contactId"])
    sb = ctx.sb
    settings = sb.store.location(c["locationId"])
    if not settings["allowDuplicates"]:
        dup, field = writes.find_duplicate(sb, c["locationId"], body,
                                           writes.duplicate_fields(settings["upsertMatch"]), exclude_id=c["id"])
        if dup is not None:
            raise writes.duplicate_error(dup, field)
    writes.apply_contact_body(sb, c, body)  # tags on update replace every tag (spec)
    writes.save_contact(sb, c)
    return 200, {"succeded": True, "contact": records.public(c), "traceId": trace_id()}


@route("DELETE", "/contacts/{contactId}", scope=W, version=V)
async def delete_contact(ctx):
    c = ctx.contact(ctx.params["contactId"])
    writes.delete_contact(ctx.sb, c["id"])
    return 200, {"succeded": True, "traceId": trace_id()}


@route("POST", "/contacts/upsert", scope=W, version=V)
async def upsert_contact(ctx):
    """Upsert per the location's duplicate setting (spec; BEHAVIOUR 3.5):
    duplicates off -> match the unique identifier(s) in the configured order; with email and phone matching
    two different contacts, update the first-priority match and silently ignore the second field.
    Duplicates on + createNewIfDuplicateAllowed -> always create."""
    body = ctx.json()
    errs = check_contact(body)
    if errs:
        raise unprocessable(errs)
    loc = body["locationId"]
    ctx.check_location(loc)
    sb = ctx.sb
    settings = sb.store.location(loc)
    data = {k: v for k, v in body.items() if k not in ("locationId", "createNewIfDuplicateAllowed")}
    if settings["allowDuplicates"] and body.get("createNewIfDuplicateAllowed"):
        _require_identity(body)
        c = writes.new_contact(sb, loc, data)
        return 200, {"new": True, "contact": records.public(c), "traceId": trace_id()}
    fields = ("email", "phone") if settings["allowDuplicates"] else writes.duplicate_fields(settings["upsertMatch"])
    target, matched = writes.find_duplicate(sb, loc, body, fields)
    if target is None:
        _require_identity(body)
        c = writes.new_contact(sb, loc, data)
        return 200, {"new": True, "contact": records.public(c), "traceId": trace_id()}
    for f in fields:
        if f == matched or f not in data:
            continue
        other, _ = writes.find_duplicate(sb, loc, data, (f,), exclude_id=target["id"])
        if other is not None:
            data.pop(f)  # the second field belongs to another contact: ignored (#37)
    data.pop("gender", None)  # gender is dropped on an existing contact (#313)
    writes.apply_contact_body(sb, target, data)
    writes.save_contact(sb, target)
    return 200, {"new": False, "contact": records.public(target), "traceId": trace_id()}


@route("POST", "/contacts/{contactId}/tags", scope=W, version=V)
async def add_tags(ctx):
    body = ctx.json()
    c = ctx.contact(ctx.params["contactId"])
    writes.apply_contact_body(ctx.sb, c, {"tags": body["tags"]}, tags_mode="add")
    writes.save_contact(ctx.sb, c)
    return 201, {"tags": c["tags"], "traceId": trace_id()}


@route("DELETE", "/contacts/{contactId}/tags", scope=W, version=V)
async def remove_tags(ctx):
    body = ctx.json()
    c = ctx.contact(ctx.params["contactId"])
    drop = set(writes.normalize_tags(body["tags"]))
    c["tags"] = [t for t in c.get("tags", []) if t not in drop]
    writes.save_contact(ctx.sb, c)
    return 200, {"tags": c["tags"], "traceId": trace_id()}


