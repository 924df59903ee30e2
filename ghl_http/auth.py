"""Authentication with GHL: a static Private Integration token, or OAuth with single-use refresh tokens."""

from typing import Any, Mapping

from airbyte_cdk.sources.streams.http.requests_native_auth import (
    SingleUseRefreshTokenOauth2Authenticator,
    TokenAuthenticator,
)
from airbyte_cdk.utils.datetime_helpers import ab_datetime_now
from requests.auth import AuthBase

from ghl_http.constants import TOKEN_PATH

PIT = "private_integration_token"
OAUTH = "oauth2.0"

# GHL's SDKs refresh 30 s before expiry; a request that starts just before expiry must not arrive after it.
REFRESH_MARGIN_SECONDS = 60


def uses_oauth(config: Mapping[str, Any]) -> bool:
    return config["credentials"]["auth_type"] == OAUTH


class GHLOAuthAuthenticator(SingleUseRefreshTokenOauth2Authenticator):
    """The CDK's single-use refresh-token authenticator, refreshing a little before GHL's expiry.

    Each refresh emits a CONTROL message with the new refresh token at once (the CDK does this), because GHL
    invalidates the old one on use. GHL answers a used or revoked refresh token with `invalid_grant`, which
    the CDK turns into a config error.
    """

    def token_has_expired(self) -> bool:
        expiry = self.get_token_expiry_date()
        return ab_datetime_now().timestamp() + REFRESH_MARGIN_SECONDS > expiry.timestamp()


def build_authenticator(config: Mapping[str, Any]) -> AuthBase:
    """The authenticator for a validated config (see `ghl_http.config.validate_config`)."""
    credentials = config["credentials"]
    if credentials["auth_type"] == PIT:
        return TokenAuthenticator(token=credentials["token"])
    return GHLOAuthAuthenticator(
        connector_config=config,
        token_refresh_endpoint=config["api_base_url"] + TOKEN_PATH,
        refresh_request_body={"user_type": "Location"},
        refresh_token_error_status_codes=(400, 401),
        refresh_token_error_key="error",
        refresh_token_error_values=("invalid_grant",),
    )
