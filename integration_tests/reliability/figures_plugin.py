"""The per-test bookkeeping of FIGURES, shared by the reliability conftests (integration and unit suites):
each test's figures become one line of build/reliability-figures.jsonl with the test's outcome."""

from __future__ import annotations

import time

import pytest

from .figures import FIGURES


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.reliability_outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome


@pytest.fixture(autouse=True)
def _figures(request):
    # No `take()` before the test: what module fixtures set up for it (their runs, faults) counts for it.
    started = time.monotonic()
    yield
    FIGURES.append(request.node.nodeid, FIGURES.take(), time.monotonic() - started,
                   getattr(request.node, "reliability_outcome", "error"))
