import pytest
import requests_mock

from .builders import RATE_HEADERS, Requests, template


@pytest.fixture
def http():
    """All HTTP of the test goes to requests-mock; an unexpected request fails the test.

    A read that selects `contacts` first reads the location's custom-field definitions: by default the
    template's one field (a test registering the URL again gets its own answer)."""
    with requests_mock.Mocker() as mocker:
        mocker.get(Requests.custom_fields, json=template("custom_fields"), headers=RATE_HEADERS)
        yield mocker
