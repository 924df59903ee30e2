"""The destination SIGKILLed in the middle of its GHL calls (a seeded random number of requests into the write,
default concurrency, so creates are in flight), then re-run the way Airbyte does it: with every record after
the last STATE it echoed. Killed twice per chain, several chains: GHL ends as a clean run leaves it, with no
duplicate and nothing missing. (The destination's own test kills right after its 1st and 3rd STATE, with one
request at a time.)"""

from __future__ import annotations

import random

import pytest

from ghl_sandbox.process import SandboxProcess

from . import rankr
from .figures import FIGURES
from .harness import DESTINATION, calendar_id, pit_config, run_destination
from .kills import kill_when
from .rankr import CATALOG

LINES = rankr.export(contacts=20, state_every=6)
KILLS_PER_CHAIN = 2
NO_DUPLICATES = {"contacts": {}, "tasks": {}, "notes": {}, "appointments": {}}


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(seed=71, contacts=10, rate_limit_burst=5000, latency_ms=15) as sb:
        yield sb


def _config(sandbox):
    # Children whose contact was written before the kill are found again through the Rankr id custom field.
    return pit_config(sandbox, requests_per_10_seconds=1000, request_timeout_seconds=5,
                      default_calendar_id=calendar_id(sandbox), rankr_id_custom_field="referral_code")


@pytest.fixture(scope="module")
def clean(sandbox):
    sandbox.reset()
    result = run_destination("write", _config(sandbox), LINES)
    assert result.returncode == 0 and not result.rejections, result.tail()
    requests = sandbox.stats()["requests_total"]
    return rankr.signature(sandbox.dump()), requests


def _position(result, previous: int) -> int:
    states = result.of_type("STATE")
    return states[-1]["state"]["global"]["shared_state"]["position"] if states else previous


@pytest.mark.parametrize("chain", (1, 2, 3))
def test_killed_mid_write_and_resumed_leaves_no_duplicate_and_nothing_missing(sandbox, clean, chain):
    expected, clean_requests = clean
    rng = random.Random(f"destination-kill-{chain}")
    sandbox.reset()
    config = _config(sandbox)
    position, kills = 0, 0
    for _ in range(KILLS_PER_CHAIN):
        sandbox.reset_stats()
        # Early enough that the write cannot finish between two polls of the sandbox's counter.
        at = rng.randint(3, int(clean_requests * 0.6))
        result = kill_when(DESTINATION, "write", config, rankr.resume_lines(LINES, position),
                           lambda: sandbox.stats()["requests_total"] >= at, catalog=CATALOG)
        if result.returncode != -9:  # a resumed write can end before the kill point
            assert result.returncode == 0, result.tail()
            break
        kills += 1
        position = _position(result, position)
    else:
        result = run_destination("write", config, rankr.resume_lines(LINES, position))
        assert result.returncode == 0 and not result.errors, result.tail()
    assert kills >= 1
    assert not result.rejections, result.rejections

    dump = sandbox.dump()
    assert rankr.duplicates(dump) == NO_DUPLICATES
    assert not rankr.landed(dump, LINES), rankr.landed(dump, LINES)
    assert rankr.signature(dump) == expected
    FIGURES.add("destination_restarts", kills)
    FIGURES.add("records_verified", len(rankr.records_of(LINES)))
