"""Tokens, scopes and the OAuth app.

* Private Integration Tokens (`pit-<uuid>`): static, never expire, bound to one location, each its own
  rate-limit "app" (a private integration is its own app in GHL).
* OAuth: one Marketplace app (client id/secret). Authorization codes and refresh tokens are single-use:
  a refresh returns a new access token and a new refresh token and invalidates the old refresh token
  (MeltanoLabs/tap-gohighlevel; BEHAVIOUR 2.1). Access tokens are JWT-shaped, expire after
  `token_expires_in` seconds, and share the app's rate-limit budget per location.
"""
from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field

from .util import b64url, dumps, new_id

READONLY_SCOPES = ("contacts.readonly", "locations/customFields.readonly", "locations/tasks.readonly",
                   "calendars.readonly", "calendars/events.readonly")
READWRITE_SCOPES = READONLY_SCOPES + ("contacts.write", "calendars/events.write")
OAUTH_SCOPES = READWRITE_SCOPES

INVALID_TOKEN = {"statusCode": 401, "message": "Invalid token: access token is invalid", "error": "Unauthorized"}
SCOPE_DENIED = {"statusCode": 401, "message": "The token is not authorized for this scope.", "error": "Unauthorized"}
AUTH_CLASS_DENIED = {"statusCode": 401, "message": "This authClass type is not allowed to access this scope",
                     "error": "Unauthorized"}
LOCATION_DENIED = {"statusCode": 403, "message": "The token does not have access to this location."}


@dataclass
class Token:
    token: str
    kind: str  # "pit" | "oauth"
    app_id: str  # rate-limit identity
    location_id: str | None
    scopes: frozenset
    user_type: str = "Location"  # "Location" | "Company"
    company_id: str | None = None
    expires_at: float | None = None  # epoch seconds; None: never

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass
class OAuthApp:
    client_id: str
    client_secret: str
    initial_refresh_token: str
    refresh_tokens: dict = field(default_factory=dict)  # token -> (location_id, user_type)
    codes: dict = field(default_factory=dict)  # code -> (location_id, user_type, expires_at)


class Auth:
    def __init__(self, seed: int, locations: list[str], company_id: str, token_expires_in: int):
        self.rng = random.Random(f"ghl-sandbox:{seed}:auth")
        self.runtime_rng = random.Random(f"ghl-sandbox:{seed}:auth-runtime")
        self.locations = list(locations)
        self.company_id = company_id
        self.token_expires_in = token_expires_in
        self.tokens: dict[str, Token] = {}
        self.user_id = new_id(self.rng)
        self.location_pits: dict[str, dict[str, str]] = {}
        for loc in self.locations:
            ro = self._pit(self.rng)
            rw = self._pit(self.rng)
            self.tokens[ro] = Token(ro, "pit", "pit:" + ro, loc, frozenset(READONLY_SCOPES), company_id=company_id)
            self.tokens[rw] = Token(rw, "pit", "pit:" + rw, loc, frozenset(READWRITE_SCOPES), company_id=company_id)
            self.location_pits[loc] = {"readonly": ro, "readwrite": rw}
        self.oauth = OAuthApp(client_id=new_id(self.rng, 24).lower() + "-" + new_id(self.rng, 8).lower(),
                              client_secret=str(uuid.UUID(int=self.rng.getrandbits(128))),
                              initial_refresh_token=self._refresh_token(self.rng))
        self.oauth.refresh_tokens[self.oauth.initial_refresh_token] = (self.locations[0], "Location")

    @staticmethod
    def _pit(rng: random.Random) -> str:
        return "pit-" + str(uuid.UUID(int=rng.getrandbits(128), version=4))

    @staticmethod
    def _refresh_token(rng: random.Random) -> str:
        return b64url(rng.randbytes(48))

    def reset(self) -> None:
        """Back to the start: the initial refresh token works again (tokens already issued keep working)."""
        self.oauth.refresh_tokens[self.oauth.initial_refresh_token] = (self.locations[0], "Location")

    def lookup(self, bearer: str | None) -> Token | None:
        if not bearer:
            return None
        tok = self.tokens.get(bearer)
        if tok is None or tok.expired(time.time()):
            return None
        return tok

    def mint_pit(self, scopes, location_id: str | None, app_id: str | None = None) -> str:
        t = self._pit(self.runtime_rng)
        self.tokens[t] = Token(t, "pit", app_id or ("pit:" + t), location_id or self.locations[0],
                               frozenset(scopes), company_id=self.company_id)
        return t

    def new_code(self, location_id: str | None = None, user_type: str = "Location") -> str:
        code = new_id(self.runtime_rng, 40).lower()
        self.oauth.codes[code] = (location_id or self.locations[0], user_type, time.time() + 600)
        return code

    def _access_token(self, location_id: str | None, user_type: str) -> Token:
        now = time.time()
        exp = now + self.token_expires_in
        header = b64url(dumps({"alg": "HS256", "typ": "JWT"}))
        payload = b64url(dumps({"authClass": user_type, "authClassId": location_id or self.company_id,
                                "source": "INTEGRATION", "sourceId": self.oauth.client_id,
                                "channel": "OAUTH", "primaryAuthClassId": location_id or self.company_id,
                                "oauthMeta": {"scopes": list(OAUTH_SCOPES), "client": self.oauth.client_id},
                                "iat": int(now), "exp": int(exp), "jti": new_id(self.runtime_rng)}))
        sig = b64url(self.runtime_rng.randbytes(32))
        tok = f"{header}.{payload}.{sig}"
        t = Token(tok, "oauth", "oauth:" + self.oauth.client_id, location_id if user_type == "Location" else None,
                  frozenset(OAUTH_SCOPES), user_type=user_type, company_id=self.company_id, expires_at=exp)
        self.tokens[tok] = t
        return t

    def token_grant(self, form: dict) -> tuple[int, dict]:
        """POST /oauth/token. Returns (status, body)."""
        missing = [k for k in ("client_id", "client_secret", "grant_type") if not form.get(k)]
        if missing:
            return 422, {"statusCode": 422, "message": [f"{k} should not be empty" for k in missing],
                         "error": "Unprocessable Entity"}
        if form["client_id"] != self.oauth.client_id or form["client_secret"] != self.oauth.client_secret:
            return 401, {"statusCode": 401, "message": "Invalid client credentials", "error": "invalid_client"}
        grant = form["grant_type"]
        if grant == "refresh_token":
            rt = form.get("refresh_token") or ""
            entry = self.oauth.refresh_tokens.pop(rt, None)
            if entry is None:
                return 400, {"statusCode": 400, "error": "invalid_grant",
                             "error_description": "Invalid grant: refresh token is invalid",
                             "message": "Invalid grant: refresh token is invalid"}
            location_id, user_type = entry
        elif grant == "authorization_code":
            code = form.get("code") or ""
            entry = self.oauth.codes.pop(code, None)
            if entry is None or entry[2] < time.time():
                return 400, {"statusCode": 400, "error": "invalid_grant",
                             "error_description": "Invalid grant: authorization code is invalid",
                             "message": "Invalid grant: authorization code is invalid"}
            location_id, user_type, _ = entry
        elif grant == "client_credentials":
            return 400, {"statusCode": 400, "error": "unsupported_grant_type",
                         "message": "client_credentials is not enabled for this app"}
        else:
            return 422, {"statusCode": 422, "message": [
                "grant_type must be one of the following values: authorization_code, refresh_token, "
                "client_credentials"], "error": "Unprocessable Entity"}
        wanted = form.get("user_type")
        if wanted in ("Company", "Location"):
            user_type = wanted
        tok = self._access_token(location_id, user_type)
        new_rt = self._refresh_token(self.runtime_rng)
        self.oauth.refresh_tokens[new_rt] = (location_id, user_type)
        body = {"access_token": tok.token, "token_type": "Bearer", "expires_in": self.token_expires_in,
                "refresh_token": new_rt, "scope": " ".join(OAUTH_SCOPES), "userType": user_type,
                "companyId": self.company_id, "userId": self.user_id, "isBulkInstallation": False}
        if user_type == "Location":
            body["locationId"] = location_id
            body["planId"] = "sandbox-plan"
        else:
            body["approvedLocations"] = list(self.locations)
        return 200, body
