"""API v3 on the same paths (`Version: v3`), as GHL's `apps/v3/*-v3.json` declare it: requests are checked
against the v3 spec (`spec_validation.py`, family "v3") and then served by the same handlers as v2, with the
few spellings where v3 differs translated here, in one place:

* `succeeded`: v3 spells it right. An update answers `succeeded` only; a delete answers both, the old
  `succeded` kept as the spec's "legacy misspelling" (UpdateContactsSuccessfulResponseDtoV3,
  DeleteContactsSuccessfulResponseDto).
* DND channels: v3 names them `call, email, sms, whatsApp, gmb, fb` (DndSettingsSchemaV3), v2 `Call, Email,
  SMS, WhatsApp, GMB, FB`; a v3 write is stored under the v2 names. Records are answered with the stored
  (v2) names on both versions.
"""
from __future__ import annotations

VERSION = "v3"
DND_V3_TO_V2 = {"call": "Call", "email": "Email", "sms": "SMS", "whatsApp": "WhatsApp", "gmb": "GMB", "fb": "FB"}


def request_body(body):
    """A v3 request body in the v2 spelling the handlers read."""
    if isinstance(body, dict) and isinstance(body.get("dndSettings"), dict):
        body = {**body, "dndSettings": {DND_V3_TO_V2.get(k, k): v for k, v in body["dndSettings"].items()}}
    return body


def response_body(body, success_keys: frozenset):
    """A v2 handler's answer in v3 spelling; `success_keys` are the top-level names the v3 response declares."""
    if not isinstance(body, dict) or "succeded" not in body or "succeeded" not in success_keys:
        return body
    out = {"succeeded": body["succeded"], **body}
    if "succeded" not in success_keys:
        del out["succeded"]
    return out
