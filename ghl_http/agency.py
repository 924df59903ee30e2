"""An agency (Company) install of a GHL Marketplace app: its company token, the locations the app is installed
on, and a short-lived access token per location.

GHL mints location tokens from the company token (`POST /oauth/locationToken`) and lists the installs
(`GET /oauth/installedLocations`), both with the company token only (GHL's `apps/oauth.json`). Location tokens
are never persisted: each sync mints its own, and mints again before one expires or after GHL refuses it.
Only the company refresh token is stored, through the CDK's CONTROL message, because it is single-use.
"""

import base64
import json
import logging
import threading
import time
from typing import Any, Dict, List, Mapping, MutableMapping, Optional, Tuple

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import messages
from ghl_http.auth import REFRESH_MARGIN_SECONDS, GHLOAuthAuthenticator, oauth_authenticator
from ghl_http.client import build_http_client, ghl_headers
from ghl_http.constants import INSTALLED_LOCATIONS_PATH, LOCATION_TOKEN_PATH
from ghl_http.errors import ghl_message

# GHL's spec sets no upper bound; 100 keeps one page small while an agency of 200 lists in 2 calls.
INSTALLED_PAGE_SIZE = 100


def company_of(access_token: str) -> Optional[str]:
    """The company a GHL Company access token belongs to: GHL's tokens are JWTs whose payload names it
    (`authClass` Company, `authClassId`). Read, not verified: GHL verifies it on every call."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, TypeError):
        return None
    if not isinstance(claims, dict) or claims.get("authClass") != "Company":
        return None
    return str(claims.get("authClassId") or "") or None


def app_id(client_id: str) -> str:
    """GHL builds a Marketplace app's client id as `<appId>-<suffix>`."""
    return client_id.split("-", 1)[0]


class CompanyAuthenticator(GHLOAuthAuthenticator):
    """The company (agency) token: refreshed with `user_type=Company`, rotated refresh token emitted at once.

    GHL's answer names the company (`companyId`); when the config does not, it is kept in the config so the
    CONTROL message carries it and later runs need not ask.
    """

    def refresh_access_token(self):  # type: ignore[no-untyped-def]
        response_json = self._make_handled_request()
        company_id = response_json.get("companyId")
        credentials = self._connector_config["credentials"]
        if company_id and not credentials.get("company_id"):
            credentials["company_id"] = company_id
        return (
            self._extract_access_token(response_json),
            self._extract_token_expiry_date(response_json),
            self._extract_refresh_token(response_json),
        )


class Company:
    """One agency install: the company token and what it can do (list installs, mint location tokens).

    Its calls are few (one listing page per 100 locations, one mint per location and sync) and go through
    ghl_http's client with a budget of their own: GHL counts them against the company, not a location.
    """

    def __init__(self, config: MutableMapping[str, Any], logger: logging.Logger):
        self.config = config
        self.base_url = config["api_base_url"]
        self.authenticator = oauth_authenticator(config, user_type="Company", cls=CompanyAuthenticator)
        self._client = build_http_client(config, name="agency", logger=logger, authenticator=self.authenticator,
                                         passthrough_statuses=frozenset({400, 403, 404, 422}))

    @property
    def company_id(self) -> str:
        credentials = self.config["credentials"]
        if not credentials.get("company_id") and not self.authenticator.token_has_expired():
            credentials["company_id"] = company_of(self.authenticator.access_token)  # spends no refresh token
        if not credentials.get("company_id"):
            self.authenticator.refresh_and_set_access_token()  # GHL's answer names the company
        company_id = credentials.get("company_id")
        if not company_id:
            raise _config_error(messages.AGENCY_NO_COMPANY)
        return str(company_id)

    def installed_location_ids(self) -> List[str]:
        """Every location the app is installed on, in GHL's order."""
        found: List[str] = []
        while True:
            body = self._call("GET", INSTALLED_LOCATIONS_PATH, params={
                "companyId": self.company_id,
                "appId": app_id(self.config["credentials"]["client_id"]),
                "isInstalled": "true",
                "skip": str(len(found)),
                "limit": str(INSTALLED_PAGE_SIZE),
            })
            page = body.get("locations")
            if not isinstance(page, list):
                raise _malformed("GET " + INSTALLED_LOCATIONS_PATH, "'locations' is not a list")
            found.extend(str(item["_id"]) for item in page
                         if isinstance(item, dict) and item.get("_id") and item.get("isInstalled", True))
            if len(page) < INSTALLED_PAGE_SIZE or len(found) >= int(body.get("count") or 0):
                return found

    def mint_location_token(self, location_id: str) -> Tuple[str, float]:
        """(access token, expiry as epoch seconds) for one location."""
        body = self._call("POST", LOCATION_TOKEN_PATH, data={"companyId": self.company_id, "locationId": location_id},
                          location_id=location_id)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise _malformed("POST " + LOCATION_TOKEN_PATH, "no access_token")
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, (int, float)) else 3600.0
        return token, time.time() + lifetime

    def _call(self, method: str, path: str, *, params: Optional[Mapping[str, str]] = None,
              data: Optional[Mapping[str, str]] = None, location_id: str = "") -> Dict[str, Any]:
        _, response = self._client.send_request(method, self.base_url + path, request_kwargs={}, headers=ghl_headers(),
                                                params=params, data=data)
        if 200 <= response.status_code < 300:
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise _malformed(f"{method} {path}", "not a JSON object", response.status_code)
            return body
        reason = ghl_message(response)[:200]
        if location_id:
            raise _config_error(messages.LOCATION_NOT_INSTALLED.format(location_id=location_id, reason=reason))
        raise _config_error(messages.AGENCY_TOKEN_REFUSED.format(status=response.status_code, reason=reason))


class LocationTokenAuthenticator(requests.auth.AuthBase):
    """Bearer auth with a location token minted from the company token; minted again shortly before it
    expires, and at once when GHL refuses it (`refresh_and_set_access_token`, which the CDK calls on a 401)."""

    def __init__(self, company: Company, location_id: str):
        self.company = company
        self.location_id = location_id
        self._token: Optional[str] = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def get_access_token(self) -> str:
        with self._lock:
            if self._token is None or time.time() + REFRESH_MARGIN_SECONDS > self._expires_at:
                self._token, self._expires_at = self.company.mint_location_token(self.location_id)
            return self._token

    def refresh_and_set_access_token(self) -> None:
        stale = self._token
        with self._lock:
            if self._token == stale:  # another thread has not minted one since
                self._token, self._expires_at = self.company.mint_location_token(self.location_id)

    def get_auth_header(self) -> Mapping[str, Any]:
        return {"Authorization": f"Bearer {self.get_access_token()}"}

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.update(self.get_auth_header())
        return request


def _config_error(text: str) -> AirbyteTracedException:
    return AirbyteTracedException(message=text, internal_message=text, failure_type=FailureType.config_error)


def _malformed(request: str, problem: str, status: int = 200) -> AirbyteTracedException:
    text = messages.MALFORMED_ANSWER.format(request=request, status=status, problem=problem)
    return AirbyteTracedException(message=text, internal_message=text, failure_type=FailureType.transient_error)
