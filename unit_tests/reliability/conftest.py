"""Figures of the reliability unit tests go to the same file as the integration suite's (build/)."""

import pytest
import requests_mock

from integration_tests.reliability.figures_plugin import _figures, pytest_runtest_makereport  # noqa: F401


# The source reads the location's contact custom-field definitions before a read that selects contacts.
CUSTOM_FIELDS_URL = "https://services.leadconnectorhq.com/locations/loc1/customFields?model=contact"


@pytest.fixture
def http():
    """Every HTTP call of the test goes to requests-mock; an unexpected one fails the test. The location has
    no contact custom fields unless a test answers that request itself."""
    with requests_mock.Mocker() as mocker:
        mocker.get(CUSTOM_FIELDS_URL, json={"customFields": []},
                   headers={"x-ratelimit-remaining": "99", "x-ratelimit-max": "100"})
        yield mocker
