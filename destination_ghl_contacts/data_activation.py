"""Airbyte Data Activation (protocol 0.16+): `discover` answers with a DESTINATION_CATALOG, the objects this
destination writes, the operations (sync modes) it supports on each and the keys it matches records by, so the
Airbyte UI can map any source's fields onto them.

Built on the CDK's protocol models (`DestinationCatalog`, `DestinationOperation`). The CDK's `AirbyteMessage`
has no `destination_catalog` field yet, so the message is serialized here, in the protocol's own shape.

The operations:

| object | sync mode | what it does | matching keys |
|---|---|---|---|
| contacts | append_dedup | upsert | ghlId, email, phone (GHL's duplicate rule) |
| contacts | update | update only (contact_write_mode update_only) | ghlId, email, phone |
| contacts | append | insert only (contact_write_mode create_only) | ghlId, email, phone |
| tasks, notes, appointments | append_dedup | create or update | ghlId, rankrId |
| tags | append | add tags (never removes one) | |

A write whose configured streams name a `destination_object_name` writes each such stream to that object with
the operation its `destination_sync_mode` names (see `spec.Settings.apply_catalog`).

The contacts schema holds the location's contact custom fields (with agency credentials, every location's),
read live, as top-level `customFields.<key>` properties: the UI maps fields onto top-level names, and the
writer folds them back into `customFields` (see `mapping.fold_custom_fields`).
"""

import copy
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Mapping, Optional, Sequence

from airbyte_cdk.models.airbyte_protocol import DestinationCatalog, DestinationOperation, DestinationSyncMode
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from serpyco_rs import Serializer

from destination_ghl_contacts.ghl import GHL, Malformed, items
from destination_ghl_contacts.identity import KEY_FIELD
from destination_ghl_contacts.mapping import CUSTOM
from destination_ghl_contacts.spec import CONTACT_MODE_OF_SYNC_MODE
from destination_ghl_contacts.validation import SCHEMA_OF_OBJECT
from schemas import RANKR, load_schema

CONTACT_KEYS = [["ghlId"], ["email"], ["phone"]]
CHILD_KEYS = [["ghlId"], ["rankrId"]]
CONTACT_MODES = [DestinationSyncMode(mode) for mode in CONTACT_MODE_OF_SYNC_MODE]
CHILD_MODES = {"tasks": [DestinationSyncMode.append_dedup], "notes": [DestinationSyncMode.append_dedup],
               "appointments": [DestinationSyncMode.append_dedup], "tags": [DestinationSyncMode.append]}
# GHL custom-field dataType -> the JSON type a value must have
_NUMBERS = {"NUMERICAL", "MONETORY", "MONETARY"}
_LISTS = {"CHECKBOX", "MULTIPLE_OPTIONS"}

# Locations whose custom-field definitions an agency discover reads at once (one request each).
DISCOVER_PARALLEL = 8

_serializer = Serializer(DestinationCatalog, omit_none=True)


def _custom_field_properties(ghl: GHL, logger: logging.Logger) -> Optional[Dict[str, Any]]:
    """`customFields.<key>` -> its JSON schema, for each contact custom field of the location; None when the
    token lacks the scope to list them."""
    try:
        reply = ghl.get(f"/locations/{ghl.location_id}/customFields", params={"model": "contact"})
        fields = items(reply, "customFields", "the custom-field definitions") if reply.answered else None
    except Malformed as exc:
        logger.warning(f"{exc}: the contacts schema lists no custom fields of location '{ghl.location_id}'.")
        return {}
    except AirbyteTracedException as exc:  # only a missing scope: any other refusal is the token's to fix
        if exc.failure_type != FailureType.config_error or "scope" not in (exc.message or "").lower():
            raise
        fields = None
    if fields is None:
        return None
    properties = {}
    for field in fields:
        key = str(field.get("fieldKey") or "").split(".", 1)[-1] or f"id:{field['id']}"
        kind = str(field.get("dataType") or "").upper()
        if kind in _NUMBERS:
            schema: Dict[str, Any] = {"type": ["number", "null"]}
        elif kind in _LISTS:
            schema = {"type": ["array", "null"], "items": {"type": "string"}}
        else:
            schema = {"type": ["string", "null"]}
        properties[f"{CUSTOM}.{key}"] = {**schema, "description": f"GHL custom field {field.get('name') or key} "
                                                                  f"({kind or 'TEXT'})"}
    return properties


def merge_locations(per_location: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """Every location's `customFields.<key>` properties as one set (an agency's locations each have their own
    fields). A key typed differently across locations takes every type (each location's write still checks a
    value against its own field, `custom_values.py`), and its description says so."""
    merged: Dict[str, Any] = {}
    descriptions: Dict[str, List[str]] = {}
    for properties in per_location:
        for name, schema in properties.items():
            seen = descriptions.setdefault(name, [])
            if schema["description"] not in seen:
                seen.append(schema["description"])
            if name not in merged:
                merged[name] = copy.deepcopy(schema)
                continue
            known = merged[name]
            known["type"] = [t for t in known["type"] if t != "null"] + [
                t for t in schema["type"] if t not in known["type"] and t != "null"] + ["null"]
            if "items" in schema:
                known.setdefault("items", schema["items"])
    for name, seen in descriptions.items():
        if len(seen) > 1:
            merged[name]["description"] = " or ".join(seen) + ", by location"
    return merged


def _all_custom_field_properties(ghls: Sequence[GHL], logger: logging.Logger) -> Dict[str, Any]:
    """The custom-field properties of every location, read `DISCOVER_PARALLEL` locations at a time."""
    with ThreadPoolExecutor(max_workers=max(1, min(DISCOVER_PARALLEL, len(ghls)))) as pool:
        found = list(pool.map(lambda ghl: _custom_field_properties(ghl, logger), ghls))
    listed = [properties for properties in found if properties is not None]
    if not listed:
        logger.warning("GHL refused to list the contact custom fields: the contacts schema lists none; give the "
                       "token 'locations/customFields.readonly' to map them in the UI.")
    return merge_locations(listed)


def object_schema(obj: str, custom: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    schema = load_schema(RANKR, SCHEMA_OF_OBJECT[obj])
    schema["properties"].pop(KEY_FIELD, None)
    if custom:
        schema["properties"].update(custom)
    return schema


def catalog(ghls: Sequence[GHL], logger: logging.Logger) -> DestinationCatalog:
    """The objects and operations, with the custom fields of every location in `ghls`."""
    custom = _all_custom_field_properties(ghls, logger)
    operations: List[DestinationOperation] = [
        DestinationOperation(object_name="contacts", sync_mode=mode, json_schema=object_schema("contacts", custom),
                             matching_keys=CONTACT_KEYS)
        for mode in CONTACT_MODES]
    for obj, modes in CHILD_MODES.items():
        keys = CHILD_KEYS if obj != "tags" else None
        operations += [DestinationOperation(object_name=obj, sync_mode=mode, json_schema=object_schema(obj),
                                            matching_keys=keys) for mode in modes]
    return DestinationCatalog(operations=operations)


class ProtocolLine:
    """A message the CDK's AirbyteMessage cannot carry, already in the protocol's JSON shape."""

    def __init__(self, payload: Dict[str, Any]):
        self.payload = payload


def catalog_message(ghls: Sequence[GHL], logger: logging.Logger) -> ProtocolLine:
    return ProtocolLine({"type": "DESTINATION_CATALOG", "destination_catalog": _serializer.dump(catalog(ghls, logger))})
