import pytest
import requests_mock


@pytest.fixture
def http():
    """All HTTP of the test goes to requests-mock; an unexpected request fails the test."""
    with requests_mock.Mocker() as mocker:
        yield mocker
