"""How each GHL answer is handled: retried when transient, explained when not.

`classify` is the one decision table for both connectors (BEHAVIOUR.md section 6); `GHLErrorHandler` and
`GHLBackoffStrategy` plug it into the CDK's `HttpClient` / declarative requester.
"""

import random
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import orjson
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy, ErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import (
    ErrorResolution,
    ResponseAction,
)

from ghl_http import messages
from ghl_http.rate_limit import daily_quota_spent, hours_until_daily_reset, seconds_until_window_frees

ResponseOrException = Optional[Union[requests.Response, Exception]]

_TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def ghl_message(response: requests.Response) -> str:
    """GHL's own error text: `message` may be a string or a list, `error` is used by some routes."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return ""
    if not isinstance(body, dict):
        return ""
    message = body.get("message") or body.get("error") or ""
    if isinstance(message, list):
        return "; ".join(str(part) for part in message)
    return str(message)


def _resolution(action: ResponseAction, failure: Optional[FailureType], text: Optional[str]) -> ErrorResolution:
    return ErrorResolution(response_action=action, failure_type=failure, error_message=text)


def _classify_exception(exc: Exception) -> ErrorResolution:
    if isinstance(exc, _TRANSPORT_ERRORS):
        return _resolution(
            ResponseAction.RETRY, FailureType.transient_error, messages.TRANSPORT_ERROR.format(kind=type(exc).__name__)
        )
    return _resolution(ResponseAction.RETRY, FailureType.system_error, f"{type(exc).__name__} while calling GHL")


# The parsed body is kept on the response, so readers of a checked page do not parse it a second time.
_PARSED_BODY_ATTR = "ghl_parsed_body"


def parsed_body(response: requests.Response) -> Any:
    """The response's JSON, parsed once (raises `orjson.JSONDecodeError` for a body that is not JSON)."""
    if not hasattr(response, _PARSED_BODY_ATTR):
        setattr(response, _PARSED_BODY_ATTR, orjson.loads(response.content))
    return getattr(response, _PARSED_BODY_ATTR)


def _body_is_complete_json(response: requests.Response) -> bool:
    # A dropped connection can leave a 200 with a cut-off body; parse it before the caller trusts it.
    if not response.content or "json" not in response.headers.get("content-type", "json"):
        return True
    try:
        parsed_body(response)
    except orjson.JSONDecodeError:
        return False
    return True


def _classify_401(response: requests.Response, oauth: bool) -> ErrorResolution:
    text = ghl_message(response).lower()
    if "timed out" in text:  # GHL's gateway reports its own timeouts as 401 "Command timed out"
        return _resolution(ResponseAction.RETRY, FailureType.transient_error, messages.SERVER_ERROR.format(status=401))
    if "scope" in text or "authclass" in text or "user type" in text:
        return _resolution(ResponseAction.FAIL, FailureType.config_error, messages.missing_scope(None))
    if oauth:
        return _resolution(ResponseAction.REFRESH_TOKEN_THEN_RETRY, FailureType.config_error, messages.INVALID_TOKEN_OAUTH)
    return _resolution(ResponseAction.FAIL, FailureType.config_error, messages.INVALID_TOKEN_PIT)


def _is_ambiguous(response_or_exception: ResponseOrException) -> bool:
    """True when GHL may have applied the request although the caller got no usable answer.

    A timeout, a dropped connection, a 5xx, a cut-off body or GHL's 401 "Command timed out" can all come
    after a write was applied; GHL has no idempotency keys, so re-sending a create can duplicate it.
    """
    if response_or_exception is None or isinstance(response_or_exception, Exception):
        return True
    status = response_or_exception.status_code
    if status >= 500:
        return True
    if 200 <= status < 300:
        return not _body_is_complete_json(response_or_exception)
    return status == 401 and "timed out" in ghl_message(response_or_exception).lower()


def classify(
    response_or_exception: ResponseOrException,
    *,
    oauth: bool = False,
    location_id: str = "",
    passthrough_statuses: frozenset = frozenset(),
    retry_ambiguous: bool = True,
) -> ErrorResolution:
    """Decide what to do with one GHL answer.

    `passthrough_statuses` are returned to the caller untouched (IGNORE), for writers that read GHL's
    400/422 bodies themselves (duplicate contact, validation messages).

    `retry_ambiguous=False` is for non-idempotent writes (creates): an answer that leaves unknown whether
    GHL applied the write (see `_is_ambiguous`) is not retried but handed back (IGNORE; `None` for an
    exception), so the caller can look in GHL before sending it again. 429s are still waited out and retried:
    GHL refuses them before doing anything.
    """
    if not retry_ambiguous and _is_ambiguous(response_or_exception):
        return _resolution(ResponseAction.IGNORE, FailureType.transient_error, messages.AMBIGUOUS_WRITE)
    if response_or_exception is None:
        return _resolution(ResponseAction.RETRY, FailureType.transient_error, "No response from GHL")
    if isinstance(response_or_exception, Exception):
        return _classify_exception(response_or_exception)
    response = response_or_exception
    status = response.status_code
    if status in passthrough_statuses:
        return _resolution(ResponseAction.IGNORE, None, None)
    if 200 <= status < 300:
        if _body_is_complete_json(response):
            return _resolution(ResponseAction.SUCCESS, None, None)
        return _resolution(ResponseAction.RETRY, FailureType.transient_error, messages.TRUNCATED_BODY.format(status=status))
    if status == 429:
        if daily_quota_spent(response):
            text = messages.daily_quota_spent(hours_until_daily_reset(response))
            return _resolution(ResponseAction.FAIL, FailureType.transient_error, text)
        text = messages.RATE_LIMITED.format(seconds=seconds_until_window_frees(response))
        return _resolution(ResponseAction.RATE_LIMITED, FailureType.transient_error, text)
    if status >= 500:
        return _resolution(ResponseAction.RETRY, FailureType.transient_error, messages.SERVER_ERROR.format(status=status))
    if status == 401:
        return _classify_401(response, oauth)
    if status == 403 and "location" in ghl_message(response).lower():
        return _resolution(ResponseAction.FAIL, FailureType.config_error, messages.WRONG_LOCATION.format(location_id=location_id))
    return _resolution(
        ResponseAction.FAIL, FailureType.system_error, f"GHL answered HTTP {status}: {ghl_message(response)[:500]}"
    )


@dataclass
class GHLErrorHandler(ErrorHandler):
    """The CDK error handler for GHL; pass it to `HttpClient` (or wrap it in a declarative component)."""

    oauth: bool = False
    location_id: str = ""
    retries: int = 6
    retry_seconds: int = 900
    passthrough_statuses: frozenset = field(default_factory=frozenset)
    retry_ambiguous: bool = True

    @property
    def max_retries(self) -> Optional[int]:
        return self.retries

    @property
    def max_time(self) -> Optional[int]:
        return self.retry_seconds

    def interpret_response(self, response_or_exception: ResponseOrException) -> ErrorResolution:
        return classify(
            response_or_exception,
            oauth=self.oauth,
            location_id=self.location_id,
            passthrough_statuses=self.passthrough_statuses,
            retry_ambiguous=self.retry_ambiguous,
        )


@dataclass
class GHLBackoffStrategy(BackoffStrategy):
    """Wait out GHL's window after a 429 (no Retry-After is sent); back off exponentially otherwise."""

    base_seconds: float = 0.5
    cap_seconds: float = 30.0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def backoff_time(self, response_or_exception: ResponseOrException, attempt_count: int) -> Optional[float]:
        if isinstance(response_or_exception, requests.Response) and response_or_exception.status_code == 429:
            return seconds_until_window_frees(response_or_exception) + self._random.uniform(0, 0.5)
        delay = min(self.cap_seconds, self.base_seconds * (2 ** max(0, attempt_count - 1)))
        return delay * self._random.uniform(0.8, 1.2)
