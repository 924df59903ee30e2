"""The CDK `HttpClient` set up for GHL: auth, the per-location budget, GHL's error table and backoff."""

import logging
from typing import Any, Mapping, Optional

from airbyte_cdk.sources.message import MessageRepository
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from requests.auth import AuthBase

from ghl_http.auth import build_authenticator, is_agency, uses_oauth
from ghl_http.constants import CALENDARS_API_VERSION, CONTACTS_API_VERSION
from ghl_http.errors import GHLBackoffStrategy, GHLErrorHandler
from ghl_http.rate_limit import build_api_budget


def ghl_headers(calendars: bool = False) -> Mapping[str, str]:
    """GHL refuses a request without its service's `Version` header."""
    return {
        "Version": CALENDARS_API_VERSION if calendars else CONTACTS_API_VERSION,
        "Accept": "application/json",
    }


def build_http_client(
    config: Mapping[str, Any],
    *,
    name: str,
    logger: logging.Logger,
    passthrough_statuses: frozenset = frozenset(),
    message_repository: Optional[MessageRepository] = None,
    retry_ambiguous: bool = True,
    api_budget: Optional[APIBudget] = None,
    authenticator: Optional[AuthBase] = None,
    retries: int = GHLErrorHandler.retries,
) -> HttpClient:
    """One client per connector run; share it between threads so they share one budget.

    A second client for non-idempotent writes (`retry_ambiguous=False`, see `ghl_http.errors.classify`) must
    share the first one's `api_budget` and `authenticator`, so both count against one GHL budget and one
    OAuth token rotation. `retries` bounds retries of transient failures (a `check` wants a quick answer).
    """
    return HttpClient(
        name=name,
        logger=logger,
        error_handler=GHLErrorHandler(
            oauth=uses_oauth(config),
            location_id=config.get("location_id") or "",
            passthrough_statuses=passthrough_statuses,
            retry_ambiguous=retry_ambiguous,
            retries=retries,
        ),
        api_budget=api_budget or build_api_budget(int(config["requests_per_10_seconds"]),
                                                  count_from_answer=is_agency(config)),
        authenticator=authenticator or build_authenticator(config),
        backoff_strategy=GHLBackoffStrategy(),
        message_repository=message_repository,
        request_timeout=float(config["request_timeout_seconds"]),
    )
