"""Reliability suite fixtures: figures per test, and a last scan of every captured output for secrets."""

from __future__ import annotations

import time

import pytest

from .figures import FIGURES
from .harness import SECRETS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.reliability_outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome


@pytest.fixture(autouse=True)
def _figures(request):
    # No `take()` here: what module fixtures set up before this test (their runs, faults) counts for it.
    started = time.monotonic()
    yield
    FIGURES.append(request.node.nodeid, FIGURES.take(), time.monotonic() - started,
                   getattr(request.node, "reliability_outcome", "error"))


@pytest.fixture(scope="session", autouse=True)
def _final_secret_scan():
    """Outputs scanned early did not know the secrets learned later (rotated tokens): scan them all again."""
    yield
    leaks = SECRETS.rescan()
    assert not leaks, f"secrets found in captured outputs: {leaks}"
