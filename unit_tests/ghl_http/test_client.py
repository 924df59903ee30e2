"""The CDK HttpClient as GHL needs it: Version header, retries, pass-through bodies, clear failures."""

import logging

import pytest
import requests
import requests_mock
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http.client import build_http_client, ghl_headers

BASE = "https://services.leadconnectorhq.com"
CONFIG = {
    "credentials": {"auth_type": "private_integration_token", "token": "pit-abc"},
    "location_id": "loc1",
    "api_base_url": BASE,
    "requests_per_10_seconds": 100,
    "request_timeout_seconds": 5,
}
LOGGER = logging.getLogger("test")


def client(**kwargs):
    return build_http_client(CONFIG, name="test", logger=LOGGER, **kwargs)


def send(http, method="GET", path="/contacts/c1"):
    _, response = http.send_request(method, BASE + path, headers=ghl_headers(), request_kwargs={})
    return response


def test_sends_bearer_token_and_version_header():
    with requests_mock.Mocker() as mock:
        mock.get(BASE + "/contacts/c1", json={"contact": {"id": "c1"}})
        assert send(client()).json() == {"contact": {"id": "c1"}}
        sent = mock.request_history[0]
    assert sent.headers["Authorization"] == "Bearer pit-abc"
    assert sent.headers["Version"] == "2021-07-28"


def test_calendars_use_their_own_version():
    assert ghl_headers(calendars=True)["Version"] == "2021-04-15"


def test_retries_a_transient_server_error():
    with requests_mock.Mocker() as mock:
        mock.get(BASE + "/contacts/c1", [{"status_code": 503, "text": "busy"}, {"json": {"contact": {}}}])
        assert send(client()).status_code == 200
        assert mock.call_count == 2


def test_retries_a_dropped_connection():
    with requests_mock.Mocker() as mock:
        mock.get(BASE + "/contacts/c1", [{"exc": requests.exceptions.ConnectionError}, {"json": {"contact": {}}}])
        assert send(client()).status_code == 200


def test_passthrough_status_comes_back_for_the_caller_to_read():
    body = {"statusCode": 422, "message": ["property gender should not exist"]}
    with requests_mock.Mocker() as mock:
        mock.post(BASE + "/contacts/", status_code=422, json=body)
        response = send(client(passthrough_statuses=frozenset({400, 422})), "POST", "/contacts/")
    assert response.status_code == 422
    assert response.json()["message"] == ["property gender should not exist"]


def test_invalid_token_fails_once_as_config_error_without_the_token():
    with requests_mock.Mocker() as mock:
        mock.get(BASE + "/contacts/c1", status_code=401, json={"message": "Invalid token: access token is invalid"})
        with pytest.raises(AirbyteTracedException) as caught:
            send(client())
        assert mock.call_count == 1
    assert caught.value.failure_type == FailureType.config_error
    assert "pit-abc" not in str(caught.value.message)


def test_a_non_idempotent_write_is_not_resent_after_a_server_error():
    with requests_mock.Mocker() as mock:
        mock.post(BASE + "/contacts/c1/notes", [{"status_code": 502, "text": "<html>bad gateway</html>"},
                                                {"status_code": 201, "json": {"note": {}}}])
        response = send(client(retry_ambiguous=False), "POST", "/contacts/c1/notes")
        assert mock.call_count == 1
    assert response.status_code == 502


def test_a_non_idempotent_write_comes_back_as_none_after_a_dropped_connection():
    with requests_mock.Mocker() as mock:
        mock.post(BASE + "/contacts/c1/notes", [{"exc": requests.exceptions.ConnectionError},
                                                {"status_code": 201, "json": {"note": {}}}])
        response = send(client(retry_ambiguous=False), "POST", "/contacts/c1/notes")
        assert mock.call_count == 1
    assert response is None


def test_a_non_idempotent_write_is_still_retried_after_a_429():
    with requests_mock.Mocker() as mock:
        mock.post(BASE + "/contacts/c1/notes", [
            {"status_code": 429, "json": {"statusCode": 429}, "headers": {"x-ratelimit-interval-milliseconds": "10"}},
            {"status_code": 201, "json": {"note": {"id": "n1"}}}])
        response = send(client(retry_ambiguous=False), "POST", "/contacts/c1/notes")
    assert response.status_code == 201


def test_two_clients_can_share_one_budget_and_authenticator():
    from ghl_http.auth import build_authenticator
    from ghl_http.rate_limit import build_api_budget

    budget, auth = build_api_budget(100), build_authenticator(CONFIG)
    safe = client(api_budget=budget, authenticator=auth)
    once = client(api_budget=budget, authenticator=auth, retry_ambiguous=False)
    assert safe._api_budget is once._api_budget is budget
