"""Shared fixtures for integration tests: a real sandbox process on a free port.

* `sandbox`: module-scoped `SandboxProcess` (60 contacts, seed 7, GHL's default rate limits, no latency).
  Tests that change its state should call `sandbox.reset()` (or use `fresh_sandbox`).
* `sandbox_factory(**knobs)`: start another sandbox with its own knobs; stopped at the end of the test.
* `ghl_headers(token=None, version=...)`: request headers for the module sandbox.
"""
from __future__ import annotations

import pytest

from ghl_sandbox.process import SandboxProcess


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(seed=7, contacts=60) as sb:
        yield sb


@pytest.fixture
def fresh_sandbox(sandbox):
    """The module sandbox, reset to its seeded state before and after the test."""
    sandbox.reset()
    yield sandbox
    sandbox.reset()


@pytest.fixture
def sandbox_factory():
    started: list[SandboxProcess] = []

    def make(**kwargs) -> SandboxProcess:
        kwargs.setdefault("seed", 7)
        kwargs.setdefault("contacts", 60)
        sb = SandboxProcess(**kwargs).start()
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()


@pytest.fixture
def ghl_headers(sandbox):
    def make(token: str | None = None, version: str = "2021-07-28") -> dict:
        return sandbox.headers(token, version)
    return make
