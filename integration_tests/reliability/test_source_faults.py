"""The source under 10 % mixed transient faults (429, 500, 502, 503, 504, stalls past the timeout, dropped
connections, cut-off JSON), several fault seeds: a full refresh and an incremental sync each emit exactly
the sandbox's ground truth."""

from __future__ import annotations

import pytest

from ghl_sandbox.process import SandboxProcess

from .figures import FIGURES
from .harness import (NO_FAULTS, faults_injected, mixed_faults, pit_config, run_source, source_catalog)
from .truth import assert_equals_truth, latest

# Short GHL windows and timeouts keep each retry cheap: a 429 waits the 1 s window, a stall of 2 s outlives
# the 1 s request timeout.
SANDBOX = dict(seed=7, contacts=40, rate_limit_window_seconds=1, rate_limit_burst=1000)
FAULTS = dict(mixed_faults(0.10), stall_seconds=2)
CONNECTOR = dict(request_timeout_seconds=1, page_size=10, requests_per_10_seconds=1000)
SEEDS = (11, 12, 13)


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(**SANDBOX) as sb:
        yield sb


@pytest.fixture(scope="module")
def first_sync_state(sandbox):
    """The state a clean first incremental sync leaves: where the faulted incremental syncs start from."""
    sandbox.reset()
    first = run_source("read", pit_config(sandbox, **CONNECTOR), source_catalog())
    assert first.returncode == 0, first.tail()
    return first


def _faulted_read(sandbox, seed, catalog, state=None):
    sandbox.reset_stats()
    sandbox.set_faults(seed=seed, **FAULTS)
    try:
        out = run_source("read", pit_config(sandbox, **CONNECTOR), catalog, state=state)
    finally:
        injected = faults_injected(sandbox)
        sandbox.set_faults(**NO_FAULTS)
    assert sum(injected.values()) > 0, "no fault was injected: the run proves nothing"
    assert out.returncode == 0 and not out.errors, out.tail()
    return out, injected


@pytest.mark.parametrize("seed", SEEDS)
def test_full_refresh_under_faults_equals_ground_truth(sandbox, seed):
    sandbox.reset()
    out, injected = _faulted_read(sandbox, seed, source_catalog(incremental=False))
    assert_equals_truth(out.records, sandbox.dump())
    assert len(out.records["custom_fields"]) == 8
    FIGURES.add("source_syncs_under_faults", 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_incremental_under_faults_catches_every_change(sandbox, first_sync_state, seed):
    sandbox.reset()
    changes = sandbox.mutate(update=10, add=6, seed=seed)  # enough requests that 10 % faults surely hit some
    out, _ = _faulted_read(sandbox, seed, source_catalog(), state=first_sync_state.final_states())
    truth = sandbox.dump()

    changed = set(changes["updated"]) | set(changes["added"])
    emitted = latest(out.records["contacts"])
    assert changed <= emitted.keys(), sorted(changed - emitted.keys())
    # Destination view after both syncs (append + dedup): exactly GHL's current data, for every stream.
    merged = {stream: list(first_sync_state.records[stream]) + list(out.records[stream])
              for stream in ("contacts", "tasks", "notes", "appointments")}
    assert_equals_truth(merged, truth)
    # ... and the incremental read only a fraction: changed contacts (plus the lookback window) and their children.
    assert len(emitted) < len(truth["contacts"])
    FIGURES.add("source_syncs_under_faults", 1)
