"""Per-contact tasks (spec TaskSchema: id, title, body, assignedTo, dueDate, completed, contactId)."""
from __future__ import annotations


from .. import webhooks, writes
from ..errors import ApiError, unprocessable
from ..util import trace_id
from ..validation import check_task
from . import CONTACTS_VERSION, route

V = CONTACTS_VERSION
R = "contacts.readonly"
W = "contacts.write"


def _task(ctx, contact_id: str, task_id: str) -> dict:
    row = ctx.sb.store.get_task(task_id)
    if row is None or row["deleted"] or row["contact_id"] != contact_id:
        raise ApiError(400, {"statusCode": 400, "message": "Task not found", "error": "Bad Request"})
    return row


@route("GET", "/contacts/{contactId}/tasks", scope=R, version=V)
async def list_tasks(ctx):
    cid = ctx.params["contactId"]
    ctx.contact_location(cid)
    items = ctx.sb.store.tasks_raw(cid)
    return 200, b'{"tasks":[' + b",".join(items) + b'],"traceId":"' + trace_id().encode() + b'"}'


@route("POST", "/contacts/{contactId}/tasks", scope=W, version=V)
async def create_task(ctx):
    body = ctx.json()
    errs = check_task(body)
    if errs:
        raise unprocessable(errs)
    cid = ctx.params["contactId"]
    loc = ctx.contact_location(cid)
    t = writes.new_task(ctx.sb, cid, loc, body)
    return 201, {"task": t, "traceId": trace_id()}


@route("GET", "/contacts/{contactId}/tasks/{taskId}", scope=R, version=V)
async def get_task(ctx):
    cid = ctx.params["contactId"]
    ctx.contact_location(cid)
    row = _task(ctx, cid, ctx.params["taskId"])
    return 200, {"task": row["task"], "traceId": trace_id()}


@route("PUT", "/contacts/{contactId}/tasks/{taskId}", scope=W, version=V)
async def update_task(ctx):
    body = ctx.json()
    errs = check_task(body)
    if errs:
        raise unprocessable(errs)
    cid = ctx.params["contactId"]
    ctx.contact_location(cid)
    row = _task(ctx, cid, ctx.params["taskId"])
    t = writes.update_task(ctx.sb, ctx.params["taskId"], row["task"], body, row["date_updated"],
                           row["location_id"], row["date_added"])
    return 200, {"task": t, "traceId": trace_id()}


@route("PUT", "/contacts/{contactId}/tasks/{taskId}/completed", scope=W, version=V)
async def complete_task(ctx):
    body = ctx.json()  # {completed: boolean}, required: checked by the spec layer
    cid = ctx.params["contactId"]
    ctx.contact_location(cid)
    row = _task(ctx, cid, ctx.params["taskId"])
    t = writes.update_task(ctx.sb, ctx.params["taskId"], row["task"], {"completed": body["completed"]},
                           row["date_updated"], row["location_id"], row["date_added"])
    return 200, {"task": t, "traceId": trace_id()}


@route("DELETE", "/contacts/{contactId}/tasks/{taskId}", scope=W, version=V)
async def delete_task(ctx):
    cid = ctx.params["contactId"]
    ctx.contact_location(cid)
    row = _task(ctx, cid, ctx.params["taskId"])
    ctx.sb.store.delete_task(ctx.params["taskId"], ctx.sb.stamp(row["date_updated"]))
    webhooks.task_event(ctx.sb, "TaskDelete", row["location_id"], row["task"], row["date_added"])
    return 200, {"succeded": True, "traceId": trace_id()}


