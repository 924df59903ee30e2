"""Schemathesis fuzz of the sandbox from GHL's own vendored specs: every GHL operation the sandbox implements,
valid and invalid requests drawn from the operation's schemas, sent over HTTP to a real sandbox process.

Checks on every answer: never a server error; the content type and (for declared statuses) the response
body conform to the spec; invalid data is refused with a 4xx; the status is one the spec declares, or one of
the differences real GHL is known to have from its spec (ALLOWED_STATUSES, each with its line of
docs/ghl-api-behaviour.md). Bounded: a fixed number of examples per operation, derandomized (a fixed seed),
so `make test` draws the same requests every run.
"""
from __future__ import annotations

import random

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_schema_conformance)

from ghl_sandbox.process import SandboxProcess
from ghl_sandbox.routes import load_all
from ghl_sandbox.spec_validation import fuzz_document

EXAMPLES = 30  # per operation; about 30 operations in well under the 3-minute bound on 2 cores

# Statuses real GHL answers beyond what an operation declares (docs/ghl-api-behaviour.md):
ALLOWED_STATUSES = {
    400: "§6: an unknown contact, task, note or event is a 400, and so are business rules",
    401: "§6 / §1: a wrong Version on /calendars reads like an auth failure (RocketRide)",
    403: "§6: 'The token does not have access to this location.' for a wrong or missing locationId",
    422: "§6: validation failures are 422 on every route, declared or not",
}


def _body_says_422(response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return response.status_code == 400 and isinstance(body, dict) and body.get("statusCode") == 422


# Answers whose body real GHL shapes differently from the declared schema of their status:
ALLOWED_BODIES = (
    (_body_says_422, "§3.4 / §6: a contact with no name, email or phone is HTTP 400 with the 422 body (RocketRide)"),
)

ROUTES = {r.key: r for r in load_all() if r.kind == "ghl"}


def _without_headers(doc: dict) -> dict:
    """The `Version` header is the only header the specs declare; it is sent as the route needs it. Fuzzed
    headers would mostly test uvicorn's HTTP parser (an invalid header name is refused before the app)."""
    for ops in doc["paths"].values():
        for op in ops.values():
            op["parameters"] = [p for p in op.get("parameters", []) if p.get("in") != "header"]
    return doc


# API v2 (each route's dated Version) and v3 (`Version: v3`, every route the v3 specs declare: all but the
# deprecated GET /contacts/).
SCHEMAS = {family: schemathesis.openapi.from_dict(_without_headers(fuzz_document(family))) for family in ("v2", "v3")}


def _keys(family: str) -> set[str]:
    return {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in SCHEMAS[family].get_all_operations())}


@pytest.fixture(scope="module")
def fuzz_sandbox():
    with SandboxProcess(seed=11, contacts=15, no_rate_limit=True) as sb:
        yield sb


@pytest.fixture(scope="module")
def real_ids(fuzz_sandbox):
    """Seeded records, so valid requests reach the handlers, not only the not-found and location answers:
    one entry per record with the path parameters that name it together (a task with its contact)."""
    sb = fuzz_sandbox
    dump = sb.dump(sb.location_id)
    records = [{"contactId": c["id"], "businessId": c.get("businessId") or "none"} for c in dump["contacts"]]
    records += [{"contactId": t["contactId"], "taskId": t["id"]} for t in dump["tasks"]]
    records += [{"contactId": n["contactId"], "id": n["id"]} for n in dump["notes"]]
    records += [{"contactId": a["contactId"], "eventId": a["id"], "calendarId": a["calendarId"],
                 "assignedUserId": a["assignedUserId"]} for a in dump["appointments"]]
    return records


def _company_token(sb) -> str:
    """An agency (Company) access token from the sandbox's agency refresh token (spent: one per reset)."""
    a = sb.credentials["agency"]
    r = requests.post(f"{sb.base_url}/oauth/token", timeout=10,
                      data={"client_id": a["client_id"], "client_secret": a["client_secret"],
                            "grant_type": "refresh_token", "refresh_token": a["refresh_token"], "user_type": "Company"})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def _realistic(case, records: list[dict], rng: random.Random, location_id: str, creds: dict) -> None:
    """Point a valid case at real records of the sandbox's location (ids drawn at random are all unknown)."""
    needed = set(case.path_parameters or {}) - {"locationId"}
    rec = rng.choice([r for r in records if needed <= set(r)] or records)
    app_id = creds["agency"]["client_id"].split("-")[0]  # the client id is <appId>-<suffix>
    location = {"locationId": location_id, "companyId": creds["company_id"], "appId": app_id}
    for name in list(case.path_parameters or {}):
        case.path_parameters[name] = {**rec, **location}.get(name, case.path_parameters[name])
    if isinstance(case.query, dict):
        for name in ("locationId", "companyId", "appId"):
            if name in case.query:
                case.query[name] = location[name]
    if isinstance(case.body, dict):
        for name in ("locationId", "contactId", "calendarId", "assignedUserId", "companyId"):
            if name in case.body and name in {**rec, **location}:
                case.body[name] = {**rec, **location}[name]


def test_every_route_is_in_the_fuzzed_documents():
    v3_only = {k for k, r in ROUTES.items() if r.version == "v3"}
    v2_only = {"GET /contacts/", "POST /oauth/locationToken", "GET /oauth/installedLocations"}
    assert v3_only == {"POST /oauth/location-token", "GET /oauth/installed-locations"}
    assert _keys("v2") == set(ROUTES) - v3_only
    assert _keys("v3") == set(ROUTES) - v2_only


def _fuzz_operation(family: str, key: str, sb, records: list[dict]) -> dict:
    """Fuzz one operation; returns the sandbox's count of its answers by status."""
    method, path = key.split(" ", 1)
    operation = SCHEMAS[family][path][method]
    strategy = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                         operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    sb.reset()  # each operation starts from the seeded records (the DELETEs remove some)
    route = ROUTES[key]
    token = _company_token(sb) if route.auth_class == "Company" else None
    headers = sb.headers(token, version=route.version if family == "v2" else "v3")
    declared = {int(s) for s in operation.definition.raw["responses"] if s.isdigit()}
    pick = random.Random(key)

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        if case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE:
            _realistic(case, records, pick, sb.location_id, sb.credentials)
        response = case.call(base_url=sb.base_url, headers=headers, timeout=10)
        checks = [not_a_server_error, content_type_conformance, negative_data_rejection]
        if not any(allowed(response) for allowed, _why in ALLOWED_BODIES):
            checks.append(response_schema_conformance)
        case.validate_response(response, checks=checks)
        assert response.status_code in declared or response.status_code in ALLOWED_STATUSES, (
            f"{key}: {response.status_code} {response.text[:300]}")

    run()
    return sb.stats()["by_route"].get(key, {})


@pytest.mark.parametrize("family", ["v2", "v3"])
def test_fuzz_every_operation(family, fuzz_sandbox, real_ids):
    """One test for all operations of an API version (one sandbox, in one process, also under xdist); every
    failure is reported with its operation and Schemathesis's reproduction."""
    failures, answered = [], {}
    for key in sorted(_keys(family)):
        try:
            answered[key] = _fuzz_operation(family, key, fuzz_sandbox, real_ids)
        except Exception as e:  # noqa: BLE001 - collected, reported together below
            failures.append(f"{key}:\n{e}")
    assert not failures, "\n\n".join(failures)
    # By the sandbox's own count: no 5xx, and valid requests got past validation into the handlers (a 2xx)
    # on most routes, not only 422s.
    assert not [k for k, v in answered.items() if any(s.startswith("5") for s in v)]
    reached = [k for k, v in answered.items() if any(s.startswith("2") for s in v)]
    assert len(reached) >= len(answered) * 2 // 3, (sorted(set(answered) - set(reached)), answered)
