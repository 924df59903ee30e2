"""Reliability suite fixtures: figures per test, and a last scan of every captured output for secrets."""

from __future__ import annotations

import pytest

from .figures_plugin import _figures, pytest_runtest_makereport  # noqa: F401  (pytest reads them here)
from .harness import SECRETS


@pytest.fixture(scope="session", autouse=True)
def _final_secret_scan():
    """Outputs scanned early did not know the secrets learned later (rotated tokens): scan them all again."""
    yield
    leaks = SECRETS.rescan()
    assert not leaks, f"secrets found in captured outputs: {leaks}"
