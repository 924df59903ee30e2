"""OAuth routes (spec `apps/oauth.json`).

* `POST /oauth/token`: authorization_code and refresh_token grants, form-encoded (JSON accepted too, as
  NestJS parses both). Refresh tokens are single-use. No bearer token, not rate limited.
* `POST /oauth/locationToken` and `GET /oauth/installedLocations`: agency endpoints. They take a Company
  access token (`Agency-Access-Only` in the spec), `Version: 2021-07-28`, and count against the app's
  budget for the company.
"""
from __future__ import annotations

from .. import api_v3
from ..errors import unprocessable
from . import CONTACTS_VERSION, route


@route("POST", "/oauth/token", kind="oauth")
async def token(ctx):
    if ctx.headers.get("version") == api_v3.VERSION:  # v3: camelCase fields in and out (api_v3.py)
        return api_v3.token_answer(*ctx.sb.auth.token_grant(api_v3.token_form(ctx.form())))
    return ctx.sb.auth.token_grant(ctx.form())


@route("POST", "/oauth/locationToken", scope="oauth.write", version=CONTACTS_VERSION, auth_class="Company")
async def location_token(ctx):
    return ctx.sb.auth.location_token(ctx.token, ctx.form())


@route("GET", "/oauth/installedLocations", scope="oauth.readonly", version=CONTACTS_VERSION,
       auth_class="Company")
async def installed_locations(ctx):
    return ctx.sb.auth.installed_locations(ctx.token, ctx.query, _names(ctx.sb))


def _names(sb) -> dict[str, str]:
    return {loc: (sb.store.location(loc) or {}).get("name", "") for loc in sb.locations}


@route("POST", "/oauth/location-token", scope="oauth.write", version=api_v3.VERSION, auth_class="Company")
async def location_token_v3(ctx):
    """v3 spelling of POST /oauth/locationToken: same form, camelCase answer."""
    return api_v3.token_answer(*ctx.sb.auth.location_token(ctx.token, ctx.form()))


@route("GET", "/oauth/installed-locations", scope="oauth.readonly", version=api_v3.VERSION,
       auth_class="Company")
async def installed_locations_v3(ctx):
    """v3 spelling of GET /oauth/installedLocations: `pageSize`/`pageToken` paging and an `{items,
    pagination, metadata}` answer (GetInstalledLocationsV3SuccessfulResponseDto)."""
    q = {k: v for k, v in ctx.query.items() if k not in ("pageSize", "pageToken")}
    size = ctx.query.get("pageSize", "20")
    skip = api_v3.page_skip(ctx.query.get("pageToken"))
    errs = [] if size.isascii() and size.isdigit() and int(size) >= 1 else ["pageSize must be an integer number"]
    if skip is None:
        errs.append("pageToken is invalid")
    if errs:
        raise unprocessable(errs)
    q.update(skip=str(skip), limit=size)
    status, body = ctx.sb.auth.installed_locations(ctx.token, q, _names(ctx.sb))
    if status != 200:
        return status, body
    items, total, size = body["locations"], body["count"], int(size)
    pagination = {"totalRecords": total, "hasNextPage": skip + len(items) < total, "hasPrevPage": skip > 0,
                  "currentPageSize": len(items)}
    if pagination["hasNextPage"]:
        pagination["nextPageToken"] = api_v3.page_token(skip + size)
    if skip > 0:
        pagination["prevPageToken"] = api_v3.page_token(max(0, skip - size))
    applied = {k: v for k, v in q.items() if k not in ("skip", "limit")}
    return 200, {"items": items, "pagination": pagination,
                 "metadata": {"filterApplied": applied, "sortApplied": {}}}
