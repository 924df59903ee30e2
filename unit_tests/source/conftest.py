import pytest
import requests_mock

from .builders import RATE_HEADERS, Requests, template


@pytest.fixture
def http():
    """All HTTP of the test goes to requests-mock; an unexpected request fails the test.

    A read that selects `contacts` first reads the location's custom-field definitions: by default the
    template's one field (a test registering the URL again gets its own answer). The token lacks the scopes of
    the location-wide reads (`location_wide.py`), so tasks and appointments are read per contact unless a test
    answers those routes itself."""
    with requests_mock.Mocker() as mocker:
        mocker.get(Requests.custom_fields, json=template("custom_fields"), headers=RATE_HEADERS)
        unauthorized = {"statusCode": 401, "message": "The token is not authorized for this scope."}
        mocker.post(Requests.tasks_search, status_code=401, json=unauthorized, headers=RATE_HEADERS)
        mocker.get(Requests.calendars, status_code=401, json=unauthorized, headers=RATE_HEADERS)
        yield mocker
