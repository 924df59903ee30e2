"""With GHL failing the way it does (5xx before a write, dropped connections, cut-off bodies and stalls after
a write was applied), a sync ends in the same GHL state as a clean run: no duplicate from a retried POST."""

from __future__ import annotations

import pytest

from ghl_sandbox.process import SandboxProcess

from . import harness
from .harness import config, run, sample_lines, signature

FAULTS = dict(fault_500=0.03, fault_502=0.03, fault_503=0.02, fault_drop=0.04, fault_truncate=0.04,
              fault_stall=0.02, stall_seconds=2)


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(seed=5, **harness.FAST) as sb:
        yield sb


@pytest.fixture(scope="module")
def clean_signature(sandbox):
    sandbox.reset()
    assert run("write", config(sandbox), sample_lines()).returncode == 0
    return signature(sandbox.dump())


@pytest.mark.parametrize("fault_seed", [1, 2, 3])
def test_a_sync_under_faults_ends_like_a_clean_one(sandbox, clean_signature, fault_seed):
    sandbox.reset()
    cfg = config(sandbox, request_timeout_seconds=1)
    sandbox.set_faults(seed=fault_seed, **FAULTS)
    result = run("write", cfg, sample_lines())
    injected = sandbox.stats()["faults_injected"]
    sandbox.set_faults(fault_500=0, fault_502=0, fault_503=0, fault_drop=0, fault_truncate=0, fault_stall=0)
    assert result.returncode == 0, [m for m in result.of_type("TRACE")][-1:]
    assert injected, "no fault was injected: the test proves nothing"
    assert signature(sandbox.dump()) == clean_signature
