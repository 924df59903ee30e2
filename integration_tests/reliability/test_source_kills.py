"""The source SIGKILLed at seeded random points and restarted from the last STATE it emitted, twice per chain,
several chains: across the runs of a chain no record of the ground truth is missing, and the records emitted
again after a restart stay within the documented bound.

A chain: a first run killed at a random message; each restart from the last STATE killed again at a random
message unless it ends first; then a run to the end. The bound (docs/reliability.md): a restart re-emits the contacts after the last checkpoint (at most one page
plus the contacts inside the lookback window) and, for tasks, notes and appointments, the children of every
contact the restarted run reads (the children's state is only saved when their stream completes).
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from ghl_sandbox.process import SandboxProcess

from .figures import FIGURES
from .harness import CHILDREN, SOURCE, pit_config, run_source, source_catalog
from .kills import kill_after_lines, last_states
from .truth import assert_equals_truth

STREAMS = ("contacts", *CHILDREN)
PAGE = 5
CONTACTS = 40
KILLS_PER_CHAIN = 2


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(seed=61, contacts=CONTACTS, rate_limit_burst=2000) as sb:
        yield sb


@pytest.fixture(scope="module")
def clean_lines(sandbox):
    """How many messages an uninterrupted sync prints: the range the kill points are drawn from."""
    out = run_source("read", pit_config(sandbox, page_size=PAGE, requests_per_10_seconds=1000), source_catalog(*STREAMS))
    assert out.returncode == 0, out.tail()
    return len(out.messages)


@pytest.mark.parametrize("chain", (1, 2, 3))
def test_killed_and_restarted_syncs_lose_nothing(sandbox, clean_lines, chain):
    rng = random.Random(f"source-kill-{chain}")
    config = pit_config(sandbox, page_size=PAGE, requests_per_10_seconds=1000)
    catalog = source_catalog(*STREAMS)
    runs, state, kill_points = [], None, []
    for _ in range(KILLS_PER_CHAIN):
        # A resumed run prints less than a full one: a later kill point may come after its end.
        point = rng.randint(10, clean_lines - 10)
        run = kill_after_lines(SOURCE, "read", config, point, catalog=catalog, state=state)
        runs.append(run)
        if run.returncode != -9:
            break
        kill_points.append(point)
        state = last_states(run.messages) or state  # the platform keeps the previous state if none came
    else:
        runs.append(run_source("read", config, catalog, state=state))
    final = runs[-1]
    assert kill_points, "the first run must be killed"
    assert final.returncode == 0 and not final.errors, final.tail()

    truth = sandbox.dump()
    merged = {s: [r for run in runs for r in run.records[s]] for s in STREAMS}
    assert_equals_truth(merged, truth, STREAMS)

    emitted = {s: Counter(r["id"] for r in merged[s]) for s in STREAMS}
    again = {s: sum(n - 1 for n in emitted[s].values()) for s in STREAMS}
    # Contacts: per restart at most one page after the last checkpoint, plus the lookback window's contacts.
    in_lookback = _max_contacts_within_minutes(truth["contacts"], 10)
    restarts = len(kill_points)
    assert again["contacts"] <= restarts * (2 * PAGE + in_lookback), (again, kill_points)
    # Children: at most one full re-read per restart.
    for stream in CHILDREN:
        assert again[stream] <= restarts * len(truth[stream]), (stream, again, kill_points)
    for stream in STREAMS:
        FIGURES.add(f"source_reemitted.{stream}", again[stream])
        FIGURES.add(f"source_emitted.{stream}", sum(emitted[stream].values()))
    FIGURES.add("source_restarts", restarts)


def _max_contacts_within_minutes(contacts, minutes):
    """The most contacts whose dateUpdated fall inside one lookback window."""
    from datetime import datetime, timedelta

    times = sorted(datetime.fromisoformat(c["dateUpdated"].replace("Z", "+00:00")) for c in contacts)
    window, best, lo = timedelta(minutes=minutes), 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best
