"""Authentication with GHL: a static Private Integration token, OAuth with single-use refresh tokens for one
location, or an agency (Company) OAuth install that mints a token per location (`ghl_http.agency`)."""

from typing import Any, Mapping, Type

from airbyte_cdk.sources.streams.http.requests_native_auth import (
    SingleUseRefreshTokenOauth2Authenticator,
    TokenAuthenticator,
)
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.datetime_helpers import ab_datetime_now
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import AuthBase

from ghl_http import messages
from ghl_http.constants import TOKEN_PATH

PIT = "private_integration_token"
OAUTH = "oauth2.0"
AGENCY_OAUTH = "agency_oauth2.0"
AUTH_TYPES = (PIT, OAUTH, AGENCY_OAUTH)

# GHL's SDKs refresh 30 s before expiry; a request that starts just before expiry must not arrive after it.
REFRESH_MARGIN_SECONDS = 60


def auth_type(config: Mapping[str, Any]) -> str:
    return str(config["credentials"]["auth_type"])


def uses_oauth(config: Mapping[str, Any]) -> bool:
    """Tokens that GHL may refuse once they expire, and that a refresh (or a new mint) can replace."""
    return auth_type(config) in (OAUTH, AGENCY_OAUTH)


def is_agency(config: Mapping[str, Any]) -> bool:
    """Whether the config has agency credentials (False for one not validated yet that has none)."""
    credentials = config.get("credentials")
    return isinstance(credentials, Mapping) and credentials.get("auth_type") == AGENCY_OAUTH


class GHLOAuthAuthenticator(SingleUseRefreshTokenOauth2Authenticator):
    """The CDK's single-use refresh-token authenticator, refreshing a little before GHL's expiry.

    Each refresh emits a CONTROL message with the new refresh token at once (the CDK does this), because GHL
    invalidates the old one on use. A still valid access token in the config is used as it is: `check` and
    `discover` spend no refresh token. GHL answers a used or revoked refresh token with `invalid_grant`, which
    the CDK turns into a config error.
    """

    def token_has_expired(self) -> bool:
        expiry = self.get_token_expiry_date()
        return ab_datetime_now().timestamp() + REFRESH_MARGIN_SECONDS > expiry.timestamp()

    def _make_handled_request(self) -> Any:
        """The CDK's refresh call, with our words for a refresh token GHL refuses: the CDK's speak of "this
        source" (wrong in the destination) and not of the usual cause, a token another connector or run spent."""
        try:
            return super()._make_handled_request()
        except AirbyteTracedException as error:
            if error.failure_type == FailureType.config_error and "rejected" in str(error.internal_message):
                raise AirbyteTracedException(message=messages.INVALID_GRANT, internal_message=messages.INVALID_GRANT,
                                             failure_type=FailureType.config_error) from None
            raise


def oauth_authenticator(config: Mapping[str, Any], *, user_type: str,
                        cls: Type[GHLOAuthAuthenticator] = GHLOAuthAuthenticator) -> GHLOAuthAuthenticator:
    return cls(
        connector_config=config,
        token_refresh_endpoint=config["api_base_url"] + TOKEN_PATH,
        refresh_request_body={"user_type": user_type},
        refresh_token_error_status_codes=(400, 401),
        refresh_token_error_key="error",
        refresh_token_error_values=("invalid_grant",),
    )


def build_authenticator(config: Mapping[str, Any]) -> AuthBase:
    """The authenticator for a validated config (see `ghl_http.config.validate_config`).

    With agency credentials the config is one location's (`ghl_http.tenancy`), whose location-token
    authenticator was made when the locations of the sync were resolved.
    """
    credentials = config["credentials"]
    if credentials["auth_type"] == PIT:
        return TokenAuthenticator(token=credentials["token"])
    if credentials["auth_type"] == AGENCY_OAUTH:
        from ghl_http import tenancy  # tenancy builds on this module

        return tenancy.location_authenticator(config)
    return oauth_authenticator(config, user_type="Location")
