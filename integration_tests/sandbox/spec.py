"""Validate responses against the vendored GHL OpenAPI specs (ghl_sandbox/ghl_api), resolving `$ref`s
inside and across the spec files (`../common/common-schemas.json#/...`).

Known errata of the upstream spec are patched before validation: the sandbox's one list of them,
`ghl_sandbox.spec_validation.EXCEPTIONS`, each with its line of docs/ghl-api-behaviour.md.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

import ghl_sandbox
from ghl_sandbox.spec_validation import patched_spec

SPEC_DIR = Path(ghl_sandbox.__file__).parent / "ghl_api"
BASE = "https://ghl-spec.invalid/"


def _oas_to_jsonschema(node):
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` allows null."""
    if isinstance(node, dict):
        out = {k: _oas_to_jsonschema(v) for k, v in node.items()}
        if out.pop("nullable", False) and "type" in out:
            t = out["type"]
            out["type"] = (t if isinstance(t, list) else [t]) + ["null"]
        return out
    if isinstance(node, list):
        return [_oas_to_jsonschema(x) for x in node]
    return node


def _errata(name: str, doc: dict) -> dict:
    if name.startswith("apps/"):
        return patched_spec(name[len("apps/"):-len(".json")])
    return doc


@lru_cache(maxsize=None)
def _registry() -> Registry:
    resources = []
    for rel in ("apps/contacts.json", "apps/calendars.json", "apps/locations.json", "apps/oauth.json",
                "common/common-schemas.json"):
        doc = _oas_to_jsonschema(_errata(rel, json.loads((SPEC_DIR / rel).read_text())))
        resources.append((BASE + rel, Resource.from_contents(doc, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def response_schema_ref(app: str, method: str, path: str, status: int) -> str:
    doc = json.loads((SPEC_DIR / "apps" / f"{app}.json").read_text())
    op = doc["paths"][path][method.lower()]
    content = op["responses"][str(status)]["content"]
    schema = next(iter(content.values()))["schema"]
    return urljoin(BASE + f"apps/{app}.json", schema["$ref"])


def validate(app: str, method: str, path: str, status: int, body) -> None:
    """Raise jsonschema.ValidationError if `body` does not match the spec's response schema."""
    ref = response_schema_ref(app, method, path, status)
    validator = jsonschema.Draft7Validator({"$ref": ref}, registry=_registry())
    validator.validate(body)


def check(response, app: str, method: str, path: str) -> dict:
    """Validate a requests.Response against the spec for its status, and return its JSON."""
    body = response.json()
    validate(app, method, path, response.status_code, body)
    return body
