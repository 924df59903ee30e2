"""The configuration both connectors share, defined once so their configs stay interchangeable."""

import copy
import json
from importlib import resources
from typing import Any, Dict, Iterable

from ghl_http.auth import AGENCY_OAUTH
from ghl_http.constants import AGENCY_SCOPES, AUTHORIZE_URL, DEFAULT_API_BASE_URL, TOKEN_PATH


def _load() -> Dict[str, Any]:
    return json.loads(resources.files("ghl_http").joinpath("spec_common.json").read_text())


def connection_specification(title: str, extra_properties: Dict[str, Any], extra_required: Iterable[str] = ()) -> Dict[str, Any]:
    """A full connectionSpecification: the shared fields first, then the connector's own."""
    common = _load()
    properties = {**common["properties"], **copy.deepcopy(extra_properties)}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": title,
        "type": "object",
        "required": [*common["required"], *extra_required],
        "additionalProperties": True,
        "properties": properties,
    }


def advanced_auth(scopes: Iterable[str]) -> Dict[str, Any]:
    """Airbyte's OAuth flow block: the UI sends the user to GHL's consent page and stores the tokens.

    Airbyte's protocol allows one OAuth flow per spec (one `predicate_value`). It serves the agency install
    (`agency_oauth2.0`, user type Company): GHL is sold to agencies, and one agency grant serves every
    sub-account. Sub-account OAuth tokens are entered by hand; a single sub-account is best served by a
    Private Integration token anyway (it never expires)."""
    scope = " ".join([*scopes, *AGENCY_SCOPES])
    token_url = DEFAULT_API_BASE_URL + TOKEN_PATH
    return {
        "auth_flow_type": "oauth2.0",
        "predicate_key": ["credentials", "auth_type"],
        "predicate_value": AGENCY_OAUTH,
        "oauth_config_specification": {
            "oauth_connector_input_specification": {
                "consent_url": AUTHORIZE_URL
                + "?{{client_id_param}}&{{redirect_uri_param}}&response_type=code&{{scope_param}}",
                "scope": scope,
                "access_token_url": token_url,
                "access_token_headers": {"Content-Type": "application/x-www-form-urlencoded"},
                "access_token_params": {
                    "client_id": "{{client_id_value}}",
                    "client_secret": "{{client_secret_value}}",
                    "grant_type": "authorization_code",
                    "code": "{{auth_code_value}}",
                    "redirect_uri": "{{redirect_uri_value}}",
                    "user_type": "Company",
                },
                "extract_output": ["access_token", "refresh_token", "expires_in", "companyId"],
            },
            "complete_oauth_output_specification": {
                "type": "object",
                "properties": {
                    "access_token": {"type": "string", "path_in_connector_config": ["credentials", "access_token"]},
                    "refresh_token": {"type": "string", "path_in_connector_config": ["credentials", "refresh_token"]},
                    "token_expiry_date": {
                        "type": "string",
                        "format": "date-time",
                        "path_in_connector_config": ["credentials", "token_expiry_date"],
                    },
                    "companyId": {"type": "string", "path_in_connector_config": ["credentials", "company_id"]},
                },
            },
            "complete_oauth_server_input_specification": {
                "type": "object",
                "properties": {"client_id": {"type": "string"}, "client_secret": {"type": "string"}},
            },
            "complete_oauth_server_output_specification": {
                "type": "object",
                "properties": {
                    "client_id": {"type": "string", "path_in_connector_config": ["credentials", "client_id"]},
                    "client_secret": {"type": "string", "path_in_connector_config": ["credentials", "client_secret"]},
                },
            },
        },
    }
