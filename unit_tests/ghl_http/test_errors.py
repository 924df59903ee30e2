"""The GHL error table: what is retried, what waits, what stops with a fix."""

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction

from ghl_http.errors import GHLBackoffStrategy, GHLErrorHandler, classify, ghl_message

RATE_HEADERS = {
    "x-ratelimit-remaining": "0",
    "x-ratelimit-interval-milliseconds": "10000",
    "x-ratelimit-daily-remaining": "1234",
    "x-ratelimit-daily-reset": "7200000",
}


def response(status, body=b"{}", headers=None, content_type="application/json"):
    resp = requests.Response()
    resp.status_code = status
    resp._content = body if isinstance(body, bytes) else body.encode()
    resp.headers.update({"content-type": content_type, **(headers or {})})
    return resp


def test_success_with_complete_json():
    assert classify(response(200, b'{"contacts": []}')).response_action == ResponseAction.SUCCESS


def test_truncated_success_body_is_retried():
    resolution = classify(response(200, b'{"contacts": [{"id": "a'))
    assert resolution.response_action == ResponseAction.RETRY
    assert resolution.failure_type == FailureType.transient_error


def test_429_waits_for_the_window():
    resolution = classify(response(429, b'{"statusCode":429,"message":"Too Many Requests"}', RATE_HEADERS))
    assert resolution.response_action == ResponseAction.RATE_LIMITED
    assert "10.0 s" in resolution.error_message


def test_429_with_daily_quota_spent_stops_as_transient():
    headers = {**RATE_HEADERS, "x-ratelimit-daily-remaining": "0"}
    resolution = classify(response(429, b'{"statusCode":429}', headers))
    assert resolution.response_action == ResponseAction.FAIL
    assert resolution.failure_type == FailureType.transient_error
    assert "daily request quota" in resolution.error_message
    assert "2.0 h" in resolution.error_message


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(status):
    resolution = classify(response(status, b"<html>Bad Gateway</html>", content_type="text/html"))
    assert resolution.response_action == ResponseAction.RETRY


@pytest.mark.parametrize(
    "exc",
    [requests.exceptions.ConnectionError(), requests.exceptions.ReadTimeout(), requests.exceptions.ChunkedEncodingError()],
)
def test_transport_errors_are_retried(exc):
    resolution = classify(exc)
    assert resolution.response_action == ResponseAction.RETRY
    assert resolution.failure_type == FailureType.transient_error


def test_invalid_pit_is_a_config_error_with_the_fix():
    body = b'{"statusCode":401,"message":"Invalid token: access token is invalid","error":"Unauthorized"}'
    resolution = classify(response(401, body), oauth=False)
    assert resolution.response_action == ResponseAction.FAIL
    assert resolution.failure_type == FailureType.config_error
    assert "Private Integrations" in resolution.error_message


def test_invalid_oauth_token_refreshes_then_retries():
    body = b'{"statusCode":401,"message":"Invalid token: access token is invalid"}'
    assert classify(response(401, body), oauth=True).response_action == ResponseAction.REFRESH_TOKEN_THEN_RETRY


def test_missing_scope_is_a_config_error_even_with_oauth():
    body = b'{"statusCode":401,"message":"The token is not authorized for this scope."}'
    resolution = classify(response(401, body), oauth=True)
    assert resolution.failure_type == FailureType.config_error
    assert "scope" in resolution.error_message


def test_gateway_timeout_disguised_as_401_is_retried():
    assert classify(response(401, b'{"message":"Command timed out"}')).response_action == ResponseAction.RETRY


def test_wrong_location_names_the_location():
    body = b'{"statusCode":403,"message":"The token does not have access to this location."}'
    resolution = classify(response(403, body), location_id="loc123")
    assert resolution.failure_type == FailureType.config_error
    assert "loc123" in resolution.error_message


def test_passthrough_statuses_reach_the_caller():
    body = b'{"statusCode":400,"message":"This location does not allow duplicated contacts.","meta":{"contactId":"x"}}'
    resolution = classify(response(400, body), passthrough_statuses=frozenset({400, 422}))
    assert resolution.response_action == ResponseAction.IGNORE


def test_message_may_be_a_list():
    body = b'{"statusCode":422,"message":["property gender should not exist","email must be an email"]}'
    assert ghl_message(response(422, body)) == "property gender should not exist; email must be an email"


def test_handler_exposes_retry_limits():
    handler = GHLErrorHandler(retries=3, retry_seconds=60)
    assert (handler.max_retries, handler.max_time) == (3, 60)


def test_backoff_after_429_is_the_ghl_window():
    wait = GHLBackoffStrategy().backoff_time(response(429, b"{}", RATE_HEADERS), attempt_count=1)
    assert 10.0 <= wait <= 10.5


def test_backoff_grows_and_is_capped():
    strategy = GHLBackoffStrategy(base_seconds=1, cap_seconds=8)
    waits = [strategy.backoff_time(response(503), attempt) for attempt in (1, 2, 3, 10)]
    assert waits[0] < waits[1] < waits[2]
    assert waits[3] <= 8 * 1.2


def test_a_checked_body_is_parsed_once_and_kept():
    from ghl_http.errors import parsed_body

    resp = response(200, b'{"contacts": [{"id": "a"}]}')
    classify(resp)
    resp._content = b"not json any more"  # a second parse would fail
    assert parsed_body(resp) == {"contacts": [{"id": "a"}]}
