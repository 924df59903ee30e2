"""Figures of the reliability unit tests go to the same file as the integration suite's (build/)."""

import pytest
import requests_mock

from integration_tests.reliability.figures_plugin import _figures, pytest_runtest_makereport  # noqa: F401


@pytest.fixture
def http():
    """Every HTTP call of the test goes to requests-mock; an unexpected one fails the test."""
    with requests_mock.Mocker() as mocker:
        yield mocker
