"""Tasks: matched by ghlId or the `[rankr:<id>]` marker in the body; created once, updated with PUT,
completed or reopened with `PUT .../completed`, deleted (opt-in) with DELETE."""

from typing import Any, Dict, List, Mapping

from destination_ghl_contacts import mapping, matching
from destination_ghl_contacts.buffer import Item
from destination_ghl_contacts.children import Listing, Results, delete_child, refused, write_each
from destination_ghl_contacts.context import WriteContext
from destination_ghl_contacts.ghl import Found
from destination_ghl_contacts.report import Outcome, created, rejected, unchanged, updated
from destination_ghl_contacts.validation import is_deleted

_body_of = lambda task: task.get("body") or ""  # noqa: E731


def write_tasks(ctx: WriteContext, contact_id: str, items: List[Item]) -> Results:
    path = f"/contacts/{contact_id}/tasks"
    listing = Listing.of_contact(ctx, contact_id, "tasks", items)
    return write_each(ctx, contact_id, items, lambda item: _write(ctx, path, listing, item.data))


def _write(ctx: WriteContext, path: str, listing: Listing, record: Mapping[str, Any]) -> Outcome:
    existing = matching.find_child(listing.items(), record, _body_of, "tasks")
    if is_deleted(record):
        return delete_child(ctx, path, existing)
    if existing is None and record.get("ghlId"):
        return rejected(f"ghlId: the contact has no GHL task {record['ghlId']!r}")
    desired = mapping.task_body(record)
    if existing is None:
        return _create(ctx, path, listing, record, desired)
    return _update(ctx, path, existing, desired)


def _create(ctx: WriteContext, path: str, listing: Listing, record: Mapping[str, Any], desired: Dict) -> Outcome:
    if ctx.dry_run:
        return created(None)
    result = ctx.ghl.create_once(
        path, desired, key="task",
        find=lambda: matching.by_marker(listing.fresh(), record, _body_of, "tasks"))
    if isinstance(result, Found):
        return created(result.record["id"])
    if not result.ok:
        return refused(result)
    task = result.body["task"]
    listing.add(task)
    return created(task["id"])


def _same_time(have: Any, want: str) -> bool:
    try:
        return mapping.parse_time(str(have)) == mapping.parse_time(want)
    except ValueError:
        return False


def _update(ctx: WriteContext, path: str, existing: Mapping[str, Any], desired: Dict) -> Outcome:
    task_id = existing["id"]
    content_changed = (
        existing.get("title") != desired["title"]
        or (existing.get("body") or "") != desired["body"]
        or not _same_time(existing.get("dueDate"), desired["dueDate"])
        or ("assignedTo" in desired and existing.get("assignedTo") != desired["assignedTo"])
    )
    status_changed = bool(existing.get("completed")) != desired["completed"]
    if not content_changed and not status_changed:
        return unchanged(task_id)
    if ctx.dry_run:
        return updated(task_id)
    if content_changed:
        # GHL's task update wants title and dueDate every time; completion has its own route.
        body = {k: v for k, v in desired.items() if k != "completed"}
        reply = ctx.ghl.call("PUT", f"{path}/{task_id}", json=body)
        if not reply.ok:
            return refused(reply)
    if status_changed:
        reply = ctx.ghl.call("PUT", f"{path}/{task_id}/completed", json={"completed": desired["completed"]})
        if not reply.ok:
            return refused(reply)
    Listing.edited(existing, desired)
    return updated(task_id)

