"""Request validation compiled from the vendored GHL OpenAPI specs (`ghl_api/`), the way GHL's NestJS
`ValidationPipe` (transform, whitelist, forbidNonWhitelisted) checks a request before any handler runs.

For each sandbox route the operation with the same method and path is looked up in the spec of its API
version; its query parameters and JSON body schema are resolved, turned from OpenAPI 3.0 into JSON Schema and
compiled once, at start, into `jsonschema` validators. A request that fails answers GHL's
`422 {"statusCode":422,"message":[...],"error":"Unprocessable Entity"}` in class-validator's wording
("title must be a string", "property X should not exist", "each value in tags must be a string").

Where real GHL is known to differ from its spec (`docs/ghl-api-behaviour.md`), the spec is patched before
compiling; every such patch is in `EXCEPTIONS` below, with its source. Checks the spec cannot express (an
email's form, a date's form, a number that fits storage) are in `validation.py`.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jsonschema
import jsonschema_rs

SPEC_DIR = Path(__file__).parent / "ghl_api"
# Which spec file describes which path prefix, per API version family.
V2_FILES = {"contacts": "apps/contacts.json", "calendars": "apps/calendars.json",
            "locations": "apps/locations.json", "oauth": "apps/oauth.json"}
V3_FILES = {"contacts": "apps/v3/contacts-v3.json", "calendars": "apps/v3/calendars-v3.json",
            "locations": "apps/v3/locations-v3.json", "oauth": "apps/v3/oauth-v3.json"}
V2_COMMON = "common/common-schemas.json"
# The v3 files say `../common/common-schemas.json` like the v2 ones, but upstream keeps theirs in apps/v3/common.
V3_COMMON = "apps/v3/common/common-schemas.json"
# Storage bound: SQLite integers are signed 64-bit; GHL's own ids and epochs fit in far less.
MAX_SAFE = 2 ** 53


# -- known differences between real GHL and its spec ---------------------------------------------------------
def _named(schemas: dict, name: str) -> list[dict]:
    """The DTO in v2 (`CreateContactDto`) and its v3 spelling (`CreateContactDtoV3`), whichever exist."""
    return [schemas[n] for n in (name, name + "V3") if n in schemas]


def _set_prop(schema: str, prop: str, value: dict):
    def patch(schemas: dict):
        for s in _named(schemas, schema):
            s["properties"][prop] = value
    return patch


def _require(schema: str, prop: str):
    def patch(schemas: dict):
        for s in _named(schemas, schema):
            req = s.setdefault("required", [])
            if prop not in req:
                req.append(prop)
    return patch


def _custom_field_items(schemas: dict):
    # One write item for every field kind: the spec's per-kind schemas require `id` (the key form needs none)
    # and type a numeric field's value as an object (its own example is 100).
    item = {"type": "object", "properties": {"id": {"type": "string"}, "key": {"type": "string"},
                                             "field_value": {}, "fieldValue": {}, "value": {}}}
    for name in ("CreateContactDto", "UpdateContactDto", "UpsertContactDto"):
        for s in _named(schemas, name):
            if "customFields" in s.get("properties", {}):
                s["properties"]["customFields"] = {"type": "array", "items": item}


def _locations_task_items(schemas: dict):
    for s in _named(schemas, "LocationTaskListSuccessfulResponseDto"):
        s["properties"]["tasks"]["items"] = {"type": "object"}


def _event_times(schemas: dict):
    for s in _named(schemas, "CalendarEventDTO"):
        for k in ("startTime", "endTime", "dateAdded", "dateUpdated"):
            s["properties"][k] = {"type": "string"}


def _custom_field_value(schemas: dict):
    for s in _named(schemas, "CustomFieldSchema"):
        if "value" in s.get("properties", {}):
            s["properties"]["value"] = {}


@dataclass(frozen=True)
class SpecException:
    api: str          # contacts | calendars | locations | oauth
    patch: Callable   # mutates components.schemas of that spec (both versions)
    why: str          # the line of docs/ghl-api-behaviour.md that records the difference


EXCEPTIONS = (
    SpecException("contacts", _set_prop("UpdateContactDto", "companyName", {"type": "string", "nullable": True}),
               "§3.4: #314 calls companyName's absence from UpdateContactDto a documentation gap; live PUT takes it"),
    SpecException("contacts", _set_prop("CreateContactDto", "dateOfBirth", {"type": "string", "nullable": True}),
                  "§3.4: dateOfBirth is written as text (YYYY-MM-DD, MM/DD/YYYY); the spec types it an object"),
    SpecException("contacts", _set_prop("UpdateContactDto", "dateOfBirth", {"type": "string", "nullable": True}),
                  "§3.4: as on create"),
    SpecException("contacts", _set_prop("UpsertContactDto", "dateOfBirth", {"type": "string", "nullable": True}),
                  "§3.4: as on create"),
    SpecException("contacts", _custom_field_items,
               "§3.6: customFields items are {id|key, field_value|fieldValue}; a numeric value is a number"),
    SpecException("calendars", _require("AppointmentCreateSchema", "assignedUserId"),
               "§3.10 / §8: appointment create needs assignedUserId (#23)"),
    # Response-side errata: used by the tests and the fuzz run that check response bodies against the spec.
    SpecException("contacts", _custom_field_value, "§3.6: a read custom field's value may be a string, number, "
                                                "array or object"),
    SpecException("calendars", _event_times, "§3.10 / §4.2: an event's times are text ('YYYY-MM-DD HH:MM:SS', "
                                             "ISO 8601); the spec types them objects"),
    SpecException("locations", _locations_task_items, "§3.8: the task search's item schema is wrong"),
)
# Query parameters the spec marks required whose absence real GHL answers with a 403 from the location check,
# not a 422: "403 for a wrong or missing locationId" (§6, n8n-io/n8n#11353).
LOCATION_403 = frozenset({("GET", "/contacts/"), ("GET", "/contacts/search/duplicate"),
                          ("GET", "/contacts/business/{businessId}")})


# -- loading ------------------------------------------------------------------------------------------------
def _load(rel: str) -> dict:
    return json.loads((SPEC_DIR / rel).read_text())


def patched_spec(api: str, version_family: str = "v2") -> dict:
    """The spec document of `api` with `EXCEPTIONS` applied (a fresh copy)."""
    doc = _load((V2_FILES if version_family == "v2" else V3_FILES)[api])
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for exc in EXCEPTIONS:
        if exc.api == api:
            exc.patch(schemas)
    return doc


class _Resolver:
    """Inlines `$ref`s of one spec file and its common schemas (the DTOs used here are not recursive)."""

    def __init__(self, doc: dict, common: dict):
        self.docs = {"": doc, "../common/common-schemas.json": common}

    def resolve(self, node, base: str = "", depth: int = 0):
        if depth > 40:
            return {}
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                file, _, pointer = ref.partition("#")
                file = file or base
                target = self.docs[file]
                for part in pointer.strip("/").split("/"):
                    target = target[part]
                return self.resolve(target, file, depth + 1)
            return {k: self.resolve(v, base, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(x, base, depth + 1) for x in node]
        return node


_ANNOTATIONS = frozenset({"example", "examples", "description", "default", "nullable", "readOnly", "writeOnly",
                          "deprecated", "xml", "externalDocs", "title", "format"})


def to_request_schema(node):
    """OpenAPI 3.0 request schema -> JSON Schema as the whitelist pipe applies it: `nullable` allows null, an
    object that declares properties forbids the others, a required string must not be empty (IsNotEmpty)."""
    if isinstance(node, list):
        return [to_request_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_request_schema(v) for k, v in node.items() if k not in _ANNOTATIONS and k != "properties"}
    if isinstance(node.get("properties"), dict):  # property names are data, never annotations
        out["properties"] = {k: to_request_schema(v) for k, v in node["properties"].items()}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    props = out.get("properties")
    if props and "additionalProperties" not in out:
        out["additionalProperties"] = False
    for name in out.get("required", ()):
        p = (props or {}).get(name)
        if isinstance(p, dict) and p.get("type") == "string":
            props[name] = {**p, "minLength": 1}
    return out


# -- messages -----------------------------------------------------------------------------------------------
_TYPE_WORDS = {"string": "must be a string", "boolean": "must be a boolean value",
               "number": "must be a number conforming to the specified constraints",
               "integer": "must be an integer number", "array": "must be an array", "object": "must be an object"}


def _name(path) -> tuple[str, bool]:
    """class-validator's property path (`dndSettings.Call.status`) and whether the error is on an array item."""
    parts = [str(p) for p in path]
    item = bool(parts) and parts[-1].isdigit()
    if item:
        parts = parts[:-1]
    return ".".join(parts), item


def messages(errors) -> list[str]:
    out: list[str] = []
    for e in errors:
        for msg in _message(e):
            if msg not in out:
                out.append(msg)
    return out


def _message(e) -> list[str]:
    name, item = _name(e.absolute_path)
    prefix = f"{name}." if name else ""
    v = e.validator
    if v == "additionalProperties":
        extra = [k for k in e.instance if k not in e.schema.get("properties", {})]
        return [f"{prefix}property {k} should not exist" for k in extra]
    if v == "required":
        missing = e.message.split("'")[1] if "'" in e.message else "value"
        return [f"{prefix}{missing} should not be empty"]
    if v == "minLength":
        return [f"{name} should not be empty"]
    if v == "type":
        t = e.validator_value
        t = next((x for x in t if x != "null"), "string") if isinstance(t, list) else t
        words = _TYPE_WORDS.get(t, f"must be of type {t}")
        if item:
            return [f"each value in {name} {words}"]
        return [f"{name or 'body'} {words}"]
    if v == "enum":
        allowed = ", ".join(str(x) for x in e.validator_value)
        return [f"{'each value in ' if item else ''}{name} must be one of the following values: {allowed}"]
    if v in ("minimum", "exclusiveMinimum"):
        return [f"{name} must not be less than {e.validator_value}"]
    if v in ("maximum", "exclusiveMaximum"):
        return [f"{name} must not be greater than {e.validator_value}"]
    return [f"{name or 'body'} is invalid"]


# -- query coercion (NestJS `transform`: query strings become the declared type) -----------------------------
_ASCII_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _coerce(value: str, kind: str):
    if kind in ("number", "integer"):
        if _ASCII_NUMBER.fullmatch(value):
            n = float(value)
            if math.isfinite(n) and abs(n) <= MAX_SAFE:
                return int(n) if n.is_integer() else n
        return value  # left a string: reported as "must be a number ..."
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


# -- compiled operations ------------------------------------------------------------------------------------
class _Validator:
    """One schema compiled twice: jsonschema_rs answers "valid?" in about a microsecond (the common case, and
    what keeps the sandbox's serving rate); only an invalid instance is walked again by `jsonschema`, whose
    errors carry what the class-validator messages are built from."""

    __slots__ = ("fast", "slow", "schema")

    def __init__(self, schema: dict):
        self.schema = schema
        self.fast = jsonschema_rs.Draft7Validator(schema)
        self.slow = jsonschema.Draft7Validator(schema)

    def messages(self, instance) -> list[str]:
        if self.fast.is_valid(instance):
            return []
        return messages(self.slow.iter_errors(instance))


class Operation:
    """The compiled checks of one route: query and JSON body."""

    __slots__ = ("query_types", "query", "body", "body_required")

    def __init__(self, query_types: dict, query: _Validator | None, body: _Validator | None, body_required: bool):
        self.query_types = query_types
        self.query = query
        self.body = body
        self.body_required = body_required

    def check_query(self, query: dict) -> list[str]:
        if self.query is None:
            return []
        q = {k: (_coerce(v, self.query_types[k]) if k in self.query_types else v) for k, v in query.items()}
        return self.query.messages(q)

    def check_body(self, body) -> list[str]:
        if self.body is None:
            return []
        if not isinstance(body, dict):
            return ["body must be an object"]
        return self.body.messages(body)


def compile_operation(doc: dict, common: dict, method: str, path: str) -> Operation | None:
    op = doc.get("paths", {}).get(path, {}).get(method.lower())
    if op is None:
        return None
    res = _Resolver(doc, common)
    props, required, types = {}, [], {}
    for p in res.resolve(op.get("parameters", [])):
        if p.get("in") != "query":
            continue
        schema = to_request_schema(p.get("schema", {}))
        kind = schema.get("type", "string")
        types[p["name"]] = kind if isinstance(kind, str) else "string"
        props[p["name"]] = schema
        if p.get("required") and (method, path) not in LOCATION_403:
            required.append(p["name"])
    # Undeclared query parameters are not refused: GHL's pipe whitelists DTO bodies, and clients add
    # cache-busters and paging leftovers to query strings.
    query = _Validator({"type": "object", "properties": props, "required": required}) if props else None
    body, body_required = None, False
    rb = res.resolve(op.get("requestBody"))
    if rb:
        schema = (rb.get("content", {}).get("application/json") or {}).get("schema")
        if schema is not None:
            body = _Validator(to_request_schema(schema))
            body_required = bool(rb.get("required"))
    return Operation(types, query, body, body_required)


class SpecValidator:
    """Every route's compiled `Operation`, built once when the app starts."""

    def __init__(self, routes):
        self.ops: dict[tuple[str, str], Operation | None] = {}
        self.v3_success: dict[str, frozenset] = {}  # route -> top-level names of its v3 2xx answer
        self.missing: list[str] = []
        docs: dict[tuple[str, str], tuple[dict, dict]] = {}
        commons = {"v2": _load(V2_COMMON), "v3": _load(V3_COMMON)}
        for r in routes:
            if r.kind != "ghl":
                continue
            api = r.path.strip("/").split("/")[0]
            for family in ("v2", "v3"):
                if (api, family) not in docs:
                    docs[(api, family)] = (patched_spec(api, family), commons[family])
                op = compile_operation(*docs[(api, family)], r.method, r.path)
                self.ops[(family, r.key)] = op
                if op is not None and family == "v3":
                    self.v3_success[r.key] = _success_keys(*docs[(api, family)], r.method, r.path)
            if self.ops[("v2", r.key)] is None and self.ops[("v3", r.key)] is None:
                self.missing.append(r.key)

    def operation(self, family: str, route_key: str) -> Operation | None:
        return self.ops.get((family, route_key))

    def success_keys(self, route_key: str) -> frozenset:
        return self.v3_success.get(route_key, frozenset())


def _success_keys(doc: dict, common: dict, method: str, path: str) -> frozenset:
    op = doc["paths"][path][method.lower()]
    keys: set = set()
    for status, resp in _Resolver(doc, common).resolve(op.get("responses", {})).items():
        if status.startswith("2"):
            for media in (resp.get("content") or {}).values():
                keys |= set((media.get("schema") or {}).get("properties", {}))
    return frozenset(keys)


def resolved_operation(api: str, family: str, method: str, path: str) -> dict | None:
    """One operation of the vendored spec with `EXCEPTIONS` applied and every `$ref` inlined."""
    doc = patched_spec(api, family)
    op = doc["paths"].get(path, {}).get(method.lower())
    common = _load(V2_COMMON if family == "v2" else V3_COMMON)
    return None if op is None else _Resolver(doc, common).resolve(op)


def fuzz_document(family: str = "v2") -> dict:
    """One self-contained OpenAPI document of every operation the sandbox implements, `$ref`s inlined and
    `EXCEPTIONS` applied: what the fuzz test hands to Schemathesis."""
    from .routes import load_all
    commons = {"v2": _load(V2_COMMON), "v3": _load(V3_COMMON)}
    docs: dict = {}
    paths: dict = {}
    for r in load_all():
        if r.kind != "ghl":
            continue
        api = r.path.strip("/").split("/")[0]
        doc = docs.get(api) or docs.setdefault(api, patched_spec(api, family))
        op = doc["paths"].get(r.path, {}).get(r.method.lower())
        if op is not None:
            paths.setdefault(r.path, {})[r.method.lower()] = _Resolver(doc, commons[family]).resolve(op)
    return {"openapi": "3.0.0", "info": {"title": f"ghl_sandbox ({family})", "version": family}, "paths": paths}


__all__ = ["resolved_operation", "fuzz_document", "SpecValidator", "Operation", "SpecException", "EXCEPTIONS",
           "LOCATION_403", "patched_spec", "to_request_schema", "messages", "MAX_SAFE"]
