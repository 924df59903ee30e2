"""Per-contact notes (spec GetNoteSchema: id, body, userId, dateAdded, contactId, title, color, pinned)."""
from __future__ import annotations

from .. import webhooks, writes
from ..errors import ApiError
from ..util import trace_id
from . import CONTACTS_VERSION, route

V = CONTACTS_VERSION
R = "contacts.readonly"
W = "contacts.write"


def _note(ctx, contact_id: str, note_id: str) -> dict:
    row = ctx.sb.store.get_note(note_id)
    if row is None or row[0] != contact_id:
        raise ApiError(400, {"statusCode": 400, "message": "Note not found", "error": "Bad Request"})
    return row[1]


@route("GET", "/contacts/{contactId}/notes", scope=R, version=V)
async def list_notes(ctx):
    cid = ctx.params["contactId"]
    ctx.contact_location(cid)
    items = ctx.sb.store.notes_raw(cid)
    return 200, b'{"notes":[' + b",".join(items) + b'],"traceId":"' + trace_id().encode() + b'"}'


@route("POST", "/contacts/{contactId}/notes", scope=W, version=V)
async def create_note(ctx):
    body = ctx.json()  # NotesDTO, checked by the spec layer
    cid = ctx.params["contactId"]
    loc = ctx.contact_location(cid)
    n = writes.new_note(ctx.sb, cid, loc, body)
    return 201, {"note": n, "traceId": trace_id()}


@route("GET", "/contacts/{contactId}/notes/{id}", scope=R, version=V)
async def get_note(ctx):
    cid = ctx.params["contactId"]
    ctx.contact_location(cid)
    return 200, {"note": _note(ctx, cid, ctx.params["id"]), "traceId": trace_id()}


@route("PUT", "/contacts/{contactId}/notes/{id}", scope=W, version=V)
async def update_note(ctx):
    body = ctx.json()  # UpdateNoteDTO, checked by the spec layer
    cid = ctx.params["contactId"]
    loc = ctx.contact_location(cid)
    n = _note(ctx, cid, ctx.params["id"])
    for k in ("body", "userId", "title", "color", "pinned"):
        if k in body:
            if body[k] is None:
                n.pop(k, None)
            else:
                n[k] = body[k]
    ctx.sb.store.update_note(n["id"], n)
    webhooks.note_event(ctx.sb, "NoteUpdate", loc, n)
    return 200, {"note": n, "traceId": trace_id()}


@route("DELETE", "/contacts/{contactId}/notes/{id}", scope=W, version=V)
async def delete_note(ctx):
    cid = ctx.params["contactId"]
    loc = ctx.contact_location(cid)
    n = _note(ctx, cid, ctx.params["id"])
    ctx.sb.store.delete_note(ctx.params["id"])
    webhooks.note_event(ctx.sb, "NoteDelete", loc, n)
    return 200, {"succeded": True, "traceId": trace_id()}
