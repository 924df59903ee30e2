"""OAuth routes (spec `apps/oauth.json`).

* `POST /oauth/token`: authorization_code and refresh_token grants, form-encoded (JSON accepted too, as
  NestJS parses both). Refresh tokens are single-use. No bearer token, not rate limited.
* `POST /oauth/locationToken` and `GET /oauth/installedLocations`: agency endpoints. They take a Company
  access token (`Agency-Access-Only` in the spec), `Version: 2021-07-28`, and count against the app's
  budget for the company.
"""
from __future__ import annotations

from . import CONTACTS_VERSION, route


@route("POST", "/oauth/token", kind="oauth")
async def token(ctx):
    return ctx.sb.auth.token_grant(ctx.form())


@route("POST", "/oauth/locationToken", scope="oauth.write", version=CONTACTS_VERSION, auth_class="Company")
async def location_token(ctx):
    return ctx.sb.auth.location_token(ctx.token, ctx.form())


@route("GET", "/oauth/installedLocations", scope="oauth.readonly", version=CONTACTS_VERSION,
       auth_class="Company")
async def installed_locations(ctx):
    sb = ctx.sb
    names = {loc: (sb.store.location(loc) or {}).get("name", "") for loc in sb.locations}
    return sb.auth.installed_locations(ctx.token, ctx.query, names)
