"""The manifest's authenticator: ghl_http's, one instance per connector config."""

import threading
from dataclasses import InitVar, dataclass
from typing import Any, Mapping

from airbyte_cdk.sources.declarative.auth.declarative_authenticator import DeclarativeAuthenticator
from requests.auth import AuthBase

from ghl_http.auth import build_authenticator

_shared_by_id: dict = {}
_lock = threading.Lock()


def shared_authenticator(config: Mapping[str, Any]) -> AuthBase:
    """Every requester of a run must share one OAuth authenticator: GHL refresh tokens are single-use, so two
    authenticators refreshing on their own would burn each other's refresh token."""
    with _lock:
        entry = _shared_by_id.get(id(config))
        if entry is None or entry[0] is not config:
            entry = (config, build_authenticator(config))
            _shared_by_id[id(config)] = entry
        return entry[1]


@dataclass
class GHLAuthenticator(DeclarativeAuthenticator):
    """Bearer auth from a Private Integration token, or OAuth refreshed before expiry (and once on a 401)."""

    config: Mapping[str, Any]
    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._delegate = shared_authenticator(self.config)

    def __call__(self, request: Any) -> Any:
        return self._delegate(request)

    def __getattr__(self, name: str) -> Any:
        # Exposes `refresh_and_set_access_token` only for OAuth, which is how the CDK decides to refresh on 401.
        if name.startswith("__") or name == "_delegate":
            raise AttributeError(name)
        return getattr(self._delegate, name)

    def get_auth_header(self) -> Mapping[str, Any]:
        return self._delegate.get_auth_header()

    @property
    def auth_header(self) -> str:
        return "Authorization"

    @property
    def token(self) -> str:
        return str(self._delegate.get_auth_header().get("Authorization", ""))
