"""Notes: matched by ghlId or the `[rankr:<id>]` marker in the body; created once, their body updated with
PUT when the Rankr note changed, deleted (opt-in) with DELETE."""

from typing import Any, Dict, List, Mapping

from destination_ghl_contacts import mapping, matching
from destination_ghl_contacts.buffer import Item
from destination_ghl_contacts.children import Listing, Results, delete_child, refused, write_each
from destination_ghl_contacts.context import WriteContext
from destination_ghl_contacts.ghl import Found
from destination_ghl_contacts.report import Outcome, created, rejected, unchanged, updated
from destination_ghl_contacts.validation import is_deleted

_body_of = lambda note: note.get("body") or ""  # noqa: E731


def write_notes(ctx: WriteContext, contact_id: str, items: List[Item]) -> Results:
    path = f"/contacts/{contact_id}/notes"
    listing = Listing.of_contact(ctx, contact_id, "notes", items)
    return write_each(ctx, contact_id, items, lambda item: _write(ctx, path, listing, item.data))


def _write(ctx: WriteContext, path: str, listing: Listing, record: Mapping[str, Any]) -> Outcome:
    existing = matching.find_child(listing.items(), record, _body_of, "notes")
    if is_deleted(record):
        return delete_child(ctx, path, existing)
    if existing is None and record.get("ghlId"):
        return rejected(f"ghlId: the contact has no GHL note {record['ghlId']!r}")
    desired = mapping.note_body(record)
    if existing is None:
        return _create(ctx, path, listing, record, desired)
    if (existing.get("body") or "") == desired["body"]:
        return unchanged(existing["id"])
    if not ctx.dry_run:
        reply = ctx.ghl.call("PUT", f"{path}/{existing['id']}", json=desired)
        if not reply.ok:
            return refused(reply)
    Listing.edited(existing, desired)
    return updated(existing["id"])


def _create(ctx: WriteContext, path: str, listing: Listing, record: Mapping[str, Any], desired: Dict) -> Outcome:
    if ctx.dry_run:
        return created(None)
    result = ctx.ghl.create_once(
        path, desired, key="note",
        find=lambda: matching.by_marker(listing.fresh(), record, _body_of, "notes"))
    if isinstance(result, Found):
        return created(result.record["id"])
    if not result.ok:
        return refused(result)
    note = result.body["note"]
    listing.add(note)
    return created(note["id"])

