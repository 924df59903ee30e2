"""Fixtures for the source's integration tests (the `sandbox` fixtures come from integration_tests/conftest.py)."""

import pytest

from .harness import pit_config


@pytest.fixture
def config(fresh_sandbox):
    return pit_config(fresh_sandbox)
