"""Reliability suite fixtures: figures per test, and a last scan of every captured output for secrets."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from .figures_plugin import _figures, pytest_runtest_makereport  # noqa: F401  (pytest reads them here)
from .harness import SECRETS

# `make test` (and CI) draws the same examples every run, so a red build always means a change broke something;
# HYPOTHESIS_PROFILE=explore draws new ones, ten times as many, to look for bugs the fixed set misses.
settings.register_profile("repeatable", max_examples=30, derandomize=True, database=None)
settings.register_profile("explore", max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session", autouse=True)
def _final_secret_scan():
    """Outputs scanned early did not know the secrets learned later (rotated tokens): scan them all again."""
    yield
    leaks = SECRETS.rescan()
    assert not leaks, f"secrets found in captured outputs: {leaks}"
