"""Contacts: find (ghlId, else email), then create, update only what differs, or leave unchanged.

Tags are never sent on an update (GHL replaces every tag on PUT/upsert): missing tags are added through
`POST /contacts/{id}/tags`. A create whose answer is lost is checked with the duplicate lookup before it
is sent again; a create GHL refuses as a duplicate resolves to `meta.contactId`.
"""

import re
from typing import Any, Dict, List, Mapping, Optional

from destination_ghl_contacts import custom_values, identity, mapping, matching
from destination_ghl_contacts.buffer import Item
from destination_ghl_contacts.children import EMPTY_ON_NEW
from destination_ghl_contacts.context import DRY_RUN_PREFIX, WriteContext
from destination_ghl_contacts.ghl import Found, Reply
from destination_ghl_contacts.report import Outcome, created, deleted, rejected, unchanged, updated
from destination_ghl_contacts.validation import is_deleted


def write_contact(ctx: WriteContext, item: Item) -> Outcome:
    record = item.data
    if is_deleted(record):
        return _delete(ctx, record)
    if record.get(mapping.CUSTOM):
        ids = ctx.custom_field_ids()  # loads the definitions too
        misfit = custom_values.problem(ctx.custom_field_definitions, ids, record)
        if misfit:
            return rejected(misfit)
    fields = mapping.contact_fields(record, ctx.settings.rankr_id_custom_field)
    tags = mapping.tag_list(record.get("tags"))
    existing = _find(ctx, record)
    if existing is None and record.get("ghlId"):
        return rejected(f"ghlId: no GHL contact has the id {record['ghlId']!r}")
    if existing is None:
        if ctx.settings.write_mode_for(item.stream) == "update_only":
            return rejected("no GHL contact has this email, and contact_write_mode is update_only")
        return _create(ctx, record, fields, tags)
    conflict = _owned_by_another(ctx, existing, record)
    if conflict:
        return rejected(conflict)
    _remember(ctx, existing["id"], record)
    if ctx.settings.write_mode_for(item.stream) == "create_only":
        return unchanged(existing["id"])
    return _update(ctx, existing, fields, tags)


def _find(ctx: WriteContext, record: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    if record.get("ghlId"):
        return matching.contact_by_id(ctx.ghl, record["ghlId"])
    return matching.duplicate_lookup(ctx.ghl, record["email"])


def _remember(ctx: WriteContext, ghl_id: str, record: Mapping[str, Any]) -> None:
    ctx.buffer.remember(ghl_id, identity.stable_value(record), record.get("email"))


def _owned_by_another(ctx: WriteContext, existing: Mapping[str, Any], record: Mapping[str, Any]) -> Optional[str]:
    """Why the GHL contact this record resolved to is another record's (see identity), or None.

    Across syncs the key stored in rankr_id_custom_field names the owner; within a sync, the first record
    written to the contact. The intake claims already settle shared emails and phones in input order; this
    catches what only GHL's duplicate rule joins."""
    mine = identity.stable_value(record)
    stored = _stored_key(ctx, existing)
    shared = _shared(existing, record)
    if mine and stored and stored != mine:
        return identity.conflict_reason(f"key {stored} (stored in {ctx.settings.rankr_id_custom_field})",
                                        f"{shared} of GHL contact {existing['id']}")
    other = ctx.identity.own(ctx.ghl.location_id, existing["id"], identity.key_in(record))
    if other:
        return identity.conflict_reason(other, f"{shared} of GHL contact {existing['id']}")
    return None


def _stored_key(ctx: WriteContext, existing: Mapping[str, Any]) -> Optional[str]:
    field = ctx.settings.rankr_id_custom_field
    if not field:
        return None
    field_id = (ctx.custom_field_ids() or {}).get(field) or (field[3:] if field.startswith("id:") else None)
    values = [cf.get("value") for cf in existing.get(mapping.CUSTOM) or []
              if isinstance(cf, dict) and cf.get("id") == field_id]
    return str(values[0]) if values and values[0] not in (None, "") else None


def _shared(existing: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    """What joins the record to the contact, for the reason: the email when it is the same, else the phone."""
    email = str(record.get("email") or "").strip().lower()
    if email and email == str(existing.get("email") or "").strip().lower():
        return f"email {email}"
    if record.get("phone") and _same("phone", existing.get("phone"), record["phone"]):
        return f"phone {record['phone']}"
    return "identity"


def _create(ctx: WriteContext, record: Mapping[str, Any], fields: Dict[str, Any], tags: List[str]) -> Outcome:
    if ctx.dry_run:
        placeholder = DRY_RUN_PREFIX + (identity.stable_value(record) or record["email"])
        _remember(ctx, placeholder, record)
        return created(placeholder)
    body = mapping.contact_create_body(record, ctx.ghl.location_id, ctx.settings.rankr_id_custom_field)
    result = ctx.ghl.create_once("/contacts/", body, key="contact",
                                 find=lambda: matching.duplicate_lookup(ctx.ghl, record["email"]))
    if isinstance(result, Found):
        return _created(ctx, result.record["id"], record)
    if result.ok:  # a new contact: it has no tasks or notes yet (see children.EMPTY_ON_NEW)
        ctx.buffer.mark_new(result.body["contact"]["id"], EMPTY_ON_NEW)
        return _created(ctx, result.body["contact"]["id"], record)
    duplicate_of = _duplicate_of(result)
    if duplicate_of:
        existing = matching.contact_by_id(ctx.ghl, duplicate_of)
        if existing:
            conflict = _owned_by_another(ctx, existing, record)
            if conflict:
                return rejected(conflict)
            _remember(ctx, existing["id"], record)
            return _update(ctx, existing, fields, tags)
    return _refused(result)


def _created(ctx: WriteContext, contact_id: str, record: Mapping[str, Any]) -> Outcome:
    ctx.identity.own(ctx.ghl.location_id, contact_id, identity.key_in(record))
    _remember(ctx, contact_id, record)
    return created(contact_id)


def _duplicate_of(reply: Reply) -> Optional[str]:
    if reply.status == 400 and isinstance(reply.body, dict):
        return (reply.body.get("meta") or {}).get("contactId")
    return None


def _refused(reply: Reply) -> Outcome:
    return rejected(f"GHL refused it (HTTP {reply.status}): {reply.message or 'no message'}")


def _update(ctx: WriteContext, existing: Mapping[str, Any], fields: Dict[str, Any], tags: List[str]) -> Outcome:
    contact_id = existing["id"]
    changes = changed_fields(existing, fields, ctx.custom_field_ids())
    missing = [t for t in tags if t.strip().lower() not in matching.normalized_tags(existing.get("tags"))]
    if not changes and not missing:
        return unchanged(contact_id)
    if ctx.dry_run:
        return updated(contact_id)
    if changes:
        reply = ctx.ghl.call("PUT", f"/contacts/{contact_id}", json=changes)
        if not reply.ok:
            return _refused(reply)
    if missing:
        reply = ctx.ghl.call("POST", f"/contacts/{contact_id}/tags", json={"tags": missing})
        if not reply.ok:
            return _refused(reply)
    return updated(contact_id)


def _delete(ctx: WriteContext, record: Mapping[str, Any]) -> Outcome:
    if ctx.deletes_ignored():
        return unchanged(None)
    existing = _find(ctx, record)
    if existing is None:
        return unchanged(None)  # already gone
    if not ctx.take_delete():
        return rejected(ctx.delete_cap_reason())
    if not ctx.dry_run:
        reply = ctx.ghl.call("DELETE", f"/contacts/{existing['id']}")
        if not reply.ok and reply.status != 400:  # 400: deleted meanwhile
            return _refused(reply)
    return deleted(existing["id"])


# -- comparing what GHL has with what the record says ---------------------------------------------------

def changed_fields(existing: Mapping[str, Any], fields: Mapping[str, Any],
                   custom_ids: Optional[Mapping[str, str]]) -> Dict[str, Any]:
    changes = {k: v for k, v in fields.items() if k != mapping.CUSTOM and not _same(k, existing.get(k), v)}
    custom = [e for e in fields.get(mapping.CUSTOM, []) if not _same_custom(existing, e, custom_ids)]
    if custom:
        changes[mapping.CUSTOM] = custom
    return changes


def _digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))


def _same(field: str, have: Any, want: Any) -> bool:
    if have is None:
        return False
    if field == "phone":
        have_digits, want_digits = _digits(have), _digits(want)
        return bool(want_digits) and (have_digits == want_digits or have_digits.endswith(want_digits))
    if field == "dateOfBirth":
        return str(have)[:10] == str(want)[:10]
    if field in ("email", "country"):
        return str(have).strip().lower() == str(want).strip().lower()
    return str(have).strip() == str(want).strip()


def _same_custom(existing: Mapping[str, Any], entry: Mapping[str, Any], ids: Optional[Mapping[str, str]]) -> bool:
    if ids is None:
        return False  # definitions unreadable: cannot compare, so send
    field_id = entry.get("id") or ids.get(entry.get("key", ""))
    if not field_id:
        return True  # GHL ignores an unknown key: sending it again changes nothing
    have = next((cf.get("value") for cf in existing.get(mapping.CUSTOM) or [] if cf.get("id") == field_id), None)
    return _same_value(have, entry.get("field_value"))


def _same_value(have: Any, want: Any) -> bool:
    if have is None:
        return want in (None, "", [])
    if isinstance(want, list) or isinstance(have, list):
        as_list = lambda v: sorted(map(str, v if isinstance(v, list) else [v]))  # noqa: E731
        return as_list(have) == as_list(want)
    try:
        return float(have) == float(want)
    except (TypeError, ValueError):
        return str(have) == str(want)
