"""The destination under 10 % of every transient fault the sandbox injects (including 429 and the HTML 504
that the destination's own fault test leaves out), several seeds: GHL ends exactly as a clean run leaves it,
with no duplicate contact (by email) and no duplicate task, note or appointment (by Rankr marker)."""

from __future__ import annotations

import pytest

from ghl_sandbox.process import SandboxProcess

from . import rankr
from .figures import FIGURES
from .harness import NO_FAULTS, calendar_id, faults_injected, mixed_faults, pit_config, run_destination

SANDBOX = dict(seed=5, contacts=15, rate_limit_burst=2000, rate_limit_window_seconds=1)
FAULTS = dict(mixed_faults(0.10), stall_seconds=2)
LINES = rankr.export(contacts=24, state_every=8)


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(**SANDBOX) as sb:
        yield sb


def _config(sandbox):
    return pit_config(sandbox, requests_per_10_seconds=1000, request_timeout_seconds=1,
                      default_calendar_id=calendar_id(sandbox))


@pytest.fixture(scope="module")
def clean(sandbox):
    sandbox.reset()
    result = run_destination("write", _config(sandbox), LINES)
    assert result.returncode == 0 and not result.rejections, result.tail()
    dump = sandbox.dump()
    assert not rankr.landed(dump, LINES)
    return rankr.signature(dump)


@pytest.mark.parametrize("seed", (21, 22))
def test_a_write_under_mixed_faults_ends_like_a_clean_one(sandbox, clean, seed):
    sandbox.reset()
    config = _config(sandbox)
    sandbox.set_faults(seed=seed, **FAULTS)
    try:
        result = run_destination("write", config, LINES)
    finally:
        injected = faults_injected(sandbox)
        sandbox.set_faults(**NO_FAULTS)
    assert sum(injected.values()) > 0
    assert result.returncode == 0 and not result.errors, result.tail()
    assert not result.rejections, result.rejections
    dump = sandbox.dump()
    assert rankr.duplicates(dump) == {"contacts": {}, "tasks": {}, "notes": {}, "appointments": {}}
    assert not rankr.landed(dump, LINES)
    assert rankr.signature(dump) == clean
    # Every STATE the platform sent came back: the sync committed all of its input.
    sent = [line for line in LINES if '"STATE"' in line]
    assert len(result.of_type("STATE")) == len(sent)
    FIGURES.add("destination_writes_under_faults", 1)
    FIGURES.add("records_verified", len(rankr.records_of(LINES)))
