"""API v3 on the same paths (`Version: v3`), as GHL's `apps/v3/*-v3.json` declare it: requests are checked
against the v3 spec (`spec_validation.py`, family "v3") and then served by the same handlers as v2, with the
few spellings where v3 differs translated here, in one place:

* `succeeded`: v3 spells it right. An update answers `succeeded` only; a delete answers both, the old
  `succeded` kept as the spec's "legacy misspelling" (UpdateContactsSuccessfulResponseDtoV3,
  DeleteContactsSuccessfulResponseDto).
* DND channels: v3 names them `call, email, sms, whatsApp, gmb, fb` (DndSettingsSchemaV3), v2 `Call, Email,
  SMS, WhatsApp, GMB, FB`; a v3 write is stored under the v2 names. Records are answered with the stored
  (v2) names on both versions.
* OAuth: `/oauth/token` with `Version: v3` takes and answers camelCase; `/oauth/location-token` and
  `/oauth/installed-locations` are the v3 spellings of `/oauth/locationToken` and `/oauth/installedLocations`
  (the same company tokens), the latter paged with `pageSize`/`pageToken` and answering `{items, pagination}`.
"""
from __future__ import annotations

import base64
import json

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


# -- OAuth (apps/v3/oauth-v3.json): camelCase form fields and answers, AIP-158 paging ------------------------
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


def token_form(form: dict) -> dict:
    """GetAccessTokenBodyDto (`clientId`, `grantType`, `refreshToken`, ...) in the v2 form's snake_case."""
    return {_snake(k): v for k, v in form.items()}


def token_answer(status: int, body):
    """A v2 token answer (`access_token`, ...) as v3's GetAccessTokenSuccessfulResponseDto (`accessToken`)."""
    if status == 200 and isinstance(body, dict):
        return status, {_camel(k): v for k, v in body.items()}
    return status, body


def page_token(skip: int) -> str:
    """An opaque page token: base64url of `{"skip":N}`, the form of the spec's example `eyJza2lwIjoyMH0`."""
    return base64.urlsafe_b64encode(json.dumps({"skip": skip}, separators=(",", ":")).encode()).decode().rstrip("=")


def page_skip(token: str | None) -> int | None:
    """The offset a page token stands for; None when it is not one of ours."""
    if not token:
        return 0
    try:
        skip = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["skip"]
    except (ValueError, KeyError, TypeError):
        return None
    return skip if isinstance(skip, int) and not isinstance(skip, bool) and skip >= 0 else None
