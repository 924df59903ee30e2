"""`POST /oauth/token`: authorization_code and refresh_token grants, form-encoded (JSON accepted too, as
NestJS parses both). Refresh tokens are single-use."""
from __future__ import annotations

from . import route


@route("POST", "/oauth/token", kind="oauth")
async def token(ctx):
    return ctx.sb.auth.token_grant(ctx.form())
