"""Figures of the reliability unit tests go to the same file as the integration suite's (build/)."""

import time

import pytest
import requests_mock

from integration_tests.reliability.figures import FIGURES


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.reliability_outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome


@pytest.fixture(autouse=True)
def _figures(request):
    started = time.monotonic()
    yield
    FIGURES.append(request.node.nodeid, FIGURES.take(), time.monotonic() - started,
                   getattr(request.node, "reliability_outcome", "error"))


@pytest.fixture
def http():
    """Every HTTP call of the test goes to requests-mock; an unexpected one fails the test."""
    with requests_mock.Mocker() as mocker:
        yield mocker
