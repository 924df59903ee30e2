"""Tags: only ever added, through `POST /contacts/{id}/tags` (a PUT would replace every tag). One read of
the contact and at most one POST per contact, whatever the number of tag records for it."""

from typing import List

from destination_ghl_contacts import mapping, matching
from destination_ghl_contacts.buffer import Item
from destination_ghl_contacts.children import Results, refused
from destination_ghl_contacts.context import WriteContext, is_placeholder
from destination_ghl_contacts.report import created, rejected, unchanged, updated
from destination_ghl_contacts.validation import is_deleted


def write_tags(ctx: WriteContext, contact_id: str, items: List[Item]) -> Results:
    live = [i for i in items if not is_deleted(i.data)]
    # Tag records marked deleted never remove tags: tags are additive.
    results: Results = [(i, unchanged(contact_id)) for i in items if is_deleted(i.data)]
    if is_placeholder(contact_id):
        return results + [(i, created(None)) for i in live]
    contact = matching.contact_by_id(ctx.ghl, contact_id)
    if contact is None:
        return results + [(i, rejected(f"contact {contact_id!r} does not exist in GHL")) for i in live]
    have = matching.normalized_tags(contact.get("tags"))
    missing: List[str] = []
    for item in live:
        new = [t for t in mapping.tag_list(item.data["tags"]) if t.lower() not in have]
        results.append((item, updated(contact_id) if new else unchanged(contact_id)))
        for tag in new:
            have.add(tag.lower())
            missing.append(tag)
    if missing and not ctx.dry_run:
        reply = ctx.ghl.call("POST", f"/contacts/{contact_id}/tags", json={"tags": missing})
        if not reply.ok:
            outcome = refused(reply)
            return [(i, outcome if o.action == "updated" else o) for i, o in results]
    return results
