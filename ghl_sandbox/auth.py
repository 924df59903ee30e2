"""Tokens, scopes, the OAuth app and where it is installed.

* Private Integration Tokens (`pit-<uuid>`): static, never expire, bound to one location, each its own
  rate-limit "app" (a private integration is its own app in GHL).
* OAuth: one Marketplace app (client id/secret). Authorization codes and refresh tokens are single-use:
  a refresh returns a new access token and a new refresh token and invalidates the old refresh token
  (MeltanoLabs/tap-gohighlevel; BEHAVIOUR 2.1). Access tokens are JWT-shaped, expire after
  `token_expires_in` seconds, and share the app's rate-limit budget per location (per company for Company
  tokens).
* Agency installs (spec `apps/oauth.json`): the app is installed on every seeded location of the company.
  A Company token lists them (`GET /oauth/installedLocations`) and mints Location tokens for the installed
  ones (`POST /oauth/locationToken`). Uninstalling the app from a location revokes its Location tokens.
"""
from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field

from .util import b64url, dumps, iso_ms, new_id

READONLY_SCOPES = ("contacts.readonly", "locations/customFields.readonly", "locations/tasks.readonly",
                   "calendars.readonly", "calendars/events.readonly")
READWRITE_SCOPES = READONLY_SCOPES + ("contacts.write", "calendars/events.write")
# The Marketplace app asks for the agency scopes too (installed locations, location tokens: spec
# `Agency-Access-Only`, docs Scopes.md); its tokens of both classes carry every scope of the app.
OAUTH_SCOPES = READWRITE_SCOPES + ("oauth.readonly", "oauth.write")

INVALID_TOKEN = {"statusCode": 401, "message": "Invalid token: access token is invalid", "error": "Unauthorized"}
SCOPE_DENIED = {"statusCode": 401, "message": "The token is not authorized for this scope.", "error": "Unauthorized"}
AUTH_CLASS_DENIED = {"statusCode": 401, "message": "This authClass type is not allowed to access this scope",
                     "error": "Unauthorized"}
LOCATION_DENIED = {"statusCode": 403, "message": "The token does not have access to this location."}
# An agency endpoint called with a location token (BEHAVIOUR 6, observed).
AGENCY_ONLY = {"statusCode": 403, "message": "Forbidden resource", "error": "Forbidden"}

# Seeded installs date from the seed epoch, so the data does not depend on the clock.
SEED_INSTALLED_AT_MS = 1_780_272_000_000  # 2026-06-01T00:00:00Z
STREETS = ("Main St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln", "Elm St", "Lake Blvd", "Hill Rd")
CITIES = (("Austin", "TX", "78701"), ("Boise", "ID", "83702"), ("Reno", "NV", "89501"), ("Tulsa", "OK", "74103"),
          ("Omaha", "NE", "68102"), ("Denver", "CO", "80202"))


def bad_request(message: str) -> tuple[int, dict]:
    return 400, {"statusCode": 400, "message": message, "error": "Bad Request"}


def unprocessable(messages: list[str]) -> tuple[int, dict]:
    return 422, {"statusCode": 422, "message": messages, "error": "Unprocessable Entity"}


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
    initial_company_refresh_token: str = ""
    refresh_tokens: dict = field(default_factory=dict)  # token -> (location_id | None, user_type)
    codes: dict = field(default_factory=dict)  # code -> (location_id | None, user_type, expires_at)

    @property
    def app_id(self) -> str:
        """GHL's client ids are `<appId>-<suffix>` (e.g. `678a5616a242015e93d1cfa8-m610p3ei`)."""
        return self.client_id.split("-", 1)[0]


@dataclass
class Install:
    installed: bool
    installed_at_ms: int
    address: str


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
        # Drawn after everything above, so the location credentials of a seed are unchanged.
        self.oauth.initial_company_refresh_token = self._refresh_token(self.rng)
        self.addresses = {loc: self._address(random.Random(f"ghl-sandbox:{seed}:install:{loc}"))
                          for loc in self.locations}
        self.installs: dict[str, Install] = {}
        self.reset()

    @staticmethod
    def _pit(rng: random.Random) -> str:
        return "pit-" + str(uuid.UUID(int=rng.getrandbits(128), version=4))

    @staticmethod
    def _refresh_token(rng: random.Random) -> str:
        return b64url(rng.randbytes(48))

    @staticmethod
    def _address(rng: random.Random) -> str:
        city, state, zip_ = rng.choice(CITIES)
        return f"{rng.randint(10, 9999)} {rng.choice(STREETS)}, {city}, {state} {zip_}, USA"

    def reset(self) -> None:
        """Back to the start: the initial refresh tokens work again and the app is installed on every location
        (tokens already issued keep working; tokens revoked by an uninstall stay revoked)."""
        self.oauth.refresh_tokens[self.oauth.initial_refresh_token] = (self.locations[0], "Location")
        self.oauth.refresh_tokens[self.oauth.initial_company_refresh_token] = (None, "Company")
        self.installs = {loc: Install(True, SEED_INSTALLED_AT_MS, self.addresses[loc]) for loc in self.locations}

    # -- installs ---------------------------------------------------------------------------------
    def is_installed(self, location_id: str | None) -> bool:
        i = self.installs.get(location_id)
        return i is not None and i.installed

    def set_installed(self, location_id: str, installed: bool) -> None:
        """Install or uninstall the app on one location. Uninstalling revokes the app's Location access and
        refresh tokens for it: they answer 401 / invalid_grant from then on, even after a reinstall."""
        inst = self.installs[location_id]
        if installed and not inst.installed:
            inst.installed_at_ms = int(time.time() * 1000)
        inst.installed = installed
        if installed:
            return
        for tok in [t for t, v in self.tokens.items()
                    if v.kind == "oauth" and v.user_type == "Location" and v.location_id == location_id]:
            del self.tokens[tok]
        for rt in [t for t, v in self.oauth.refresh_tokens.items() if v == (location_id, "Location")]:
            del self.oauth.refresh_tokens[rt]

    # -- tokens -----------------------------------------------------------------------------------
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
        loc = None if user_type == "Company" else (location_id or self.locations[0])
        self.oauth.codes[code] = (loc, user_type, time.time() + 600)
        return code

    def _access_token(self, location_id: str | None, user_type: str) -> Token:
        now = time.time()
        exp = now + self.token_expires_in
        auth_class_id = location_id if user_type == "Location" else self.company_id
        header = b64url(dumps({"alg": "HS256", "typ": "JWT"}))
        payload = b64url(dumps({"authClass": user_type, "authClassId": auth_class_id,
                                "source": "INTEGRATION", "sourceId": self.oauth.client_id,
                                "channel": "OAUTH", "primaryAuthClassId": auth_class_id,
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
            return unprocessable([f"{k} should not be empty" for k in missing])
        if form["client_id"] != self.oauth.client_id or form["client_secret"] != self.oauth.client_secret:
            return 401, {"statusCode": 401, "message": "Invalid client credentials", "error": "invalid_client"}
        grant = form["grant_type"]
        wanted = form.get("user_type") or None
        if wanted not in (None, "Company", "Location"):
            return unprocessable(["user_type must be one of the following values: Company, Location"])
        if grant == "refresh_token":
            store, key, what = self.oauth.refresh_tokens, form.get("refresh_token") or "", "refresh token"
        elif grant == "authorization_code":
            store, key, what = self.oauth.codes, form.get("code") or "", "authorization code"
        elif grant == "client_credentials":
            return 400, {"statusCode": 400, "error": "unsupported_grant_type",
                         "message": "client_credentials is not enabled for this app"}
        else:
            return unprocessable(["grant_type must be one of the following values: authorization_code, "
                                  "refresh_token, client_credentials"])
        entry = store.get(key)
        if entry is None or (grant == "authorization_code" and entry[2] < time.time()):
            store.pop(key, None)
            msg = f"Invalid grant: {what} is invalid"
            return 400, {"statusCode": 400, "error": "invalid_grant", "error_description": msg, "message": msg}
        location_id, user_type = entry[0], entry[1]
        if wanted and wanted != user_type:
            # (choice) the grant's level is fixed at consent; asking for the other one is refused and the
            # credential is not spent. A Company grant reaches locations through POST /oauth/locationToken.
            return 400, {"statusCode": 400, "error": "invalid_request",
                         "message": f"user_type {wanted} does not match this {what} ({user_type})"}
        del store[key]
        if user_type == "Location" and grant == "authorization_code":
            self.set_installed(location_id, True)  # consenting installs the app on the location
        tok = self._access_token(location_id, user_type)
        new_rt = self._refresh_token(self.runtime_rng)
        self.oauth.refresh_tokens[new_rt] = (location_id, user_type)
        body = {"access_token": tok.token, "token_type": "Bearer", "expires_in": self.token_expires_in,
                "refresh_token": new_rt, "scope": " ".join(OAUTH_SCOPES), "userType": user_type,
                "companyId": self.company_id, "userId": self.user_id}
        if user_type == "Location":
            body.update(locationId=location_id, planId="sandbox-plan", isBulkInstallation=False)
        else:
            body.update(approvedLocations=[loc for loc in self.locations if self.is_installed(loc)],
                        isBulkInstallation=True, approveAllLocations=True, installToFutureLocations=False)
        return 200, body

    # -- agency endpoints (Company token) ---------------------------------------------------------
    def location_token(self, company: Token, form: dict) -> tuple[int, dict]:
        """POST /oauth/locationToken: a new Location access token of the app for one installed location.
        Every call mints a new token; earlier ones stay valid until they expire (no refresh token: the
        vendored spec's response has none)."""
        missing = [k for k in ("companyId", "locationId") if not form.get(k)]
        if missing:
            return unprocessable([f"{k} should not be empty" for k in missing])
        if form["companyId"] != company.company_id:
            return bad_request("companyId does not match the company of the token")
        loc = form["locationId"]
        if loc not in self.installs:
            return bad_request("Location not found")
        if not self.is_installed(loc):
            return bad_request("The app is not installed on this location")
        tok = self._access_token(loc, "Location")
        return 200, {"access_token": tok.token, "token_type": "Bearer", "expires_in": self.token_expires_in,
                     "scope": " ".join(OAUTH_SCOPES), "locationId": loc, "userId": self.user_id,
                     "planId": "sandbox-plan", "appId": self.oauth.app_id}

    def installed_locations(self, company: Token, query: dict, names: dict[str, str]) -> tuple[int, dict]:
        """GET /oauth/installedLocations: the company's locations with the app's install state, paged."""
        missing = [k for k in ("companyId", "appId") if not query.get(k)]
        errs = [f"{k} should not be empty" for k in missing]
        paging = {}
        for k, default in (("skip", 0), ("limit", 20)):
            v = query.get(k, str(default))
            if not (v.isascii() and v.isdigit()):  # int() would take other scripts' digits
                errs.append(f"{k} must be a number string")
            else:
                paging[k] = int(v)
        flt = query.get("isInstalled")
        if flt not in (None, "true", "false"):
            errs.append("isInstalled must be a boolean value")
        if errs:
            return unprocessable(errs)
        if query["companyId"] != company.company_id:
            return bad_request("companyId does not match the company of the token")
        if query["appId"] != self.oauth.app_id:
            return bad_request("appId does not match the app of the token")
        rows = []
        name_q = (query.get("query") or "").lower()
        for loc in self.locations:
            inst = self.installs[loc]
            if flt is not None and inst.installed != (flt == "true"):
                continue
            if query.get("locationId") and loc != query["locationId"]:
                continue
            if name_q and name_q not in names.get(loc, "").lower():
                continue
            row = {"_id": loc, "name": names.get(loc, ""), "address": inst.address, "isInstalled": inst.installed}
            if inst.installed:
                row["installedAt"] = iso_ms(inst.installed_at_ms)
            rows.append(row)
        page = rows[paging["skip"]:paging["skip"] + paging["limit"]]
        return 200, {"locations": page, "count": len(rows), "installToFutureLocations": False}
