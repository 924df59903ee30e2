"""GHL's rate limits: a 429 storm is waited out; a spent daily quota stops the sync cleanly (a transient
error, the last STATE valid), and the next run, once the quota is back, finishes the work with nothing missing.

docs/source-ghl-contacts.md and docs/destination-ghl-contacts.md: "On a 429 ... the connector waits GHL's
x-ratelimit-interval-milliseconds and retries"; "When x-ratelimit-daily-remaining is 0 the sync stops with a
transient error after its last saved state; the next sync resumes from there."
"""

from __future__ import annotations

import pytest

from ghl_sandbox.process import SandboxProcess

from . import rankr
from .figures import FIGURES
from .harness import calendar_id, pit_config, run_destination, run_source, source_catalog
from .truth import assert_equals_truth

CHILDREN = ("tasks", "notes", "appointments")
# A storm: 30 % of requests answered 429 (GHL's body). After a 429 the connectors' budget counts GHL's window
# as full (10.3 s, whatever the sandbox's shorter window says), so every storm costs whole windows: keep the
# syncs small.
STORM = dict(fault_429=0.3, rate_limit_window_seconds=1, rate_limit_burst=1000)
GREEDY = dict(requests_per_10_seconds=1000, request_timeout_seconds=5, page_size=10)


def _assert_stopped_for_the_daily_quota(result):
    """Stopped with the quota's message as a transient error. (The source's last TRACE is the CDK's summary of
    failed streams; its failure type is checked on its own below.)"""
    assert result.returncode != 0
    errors = result.errors
    assert errors, result.tail()
    quota = [e for e in errors if "daily request quota" in e["message"]]
    assert quota, errors
    assert {e["failure_type"] for e in quota} == {"transient_error"}, errors
    assert all("Traceback" not in e["message"] for e in errors)


def test_source_waits_out_a_429_storm(sandbox_factory):
    sandbox = sandbox_factory(seed=31, contacts=20, **STORM)
    out = run_source("read", pit_config(sandbox, **GREEDY), source_catalog("contacts", *CHILDREN, incremental=False))
    stats = sandbox.stats()
    assert stats["by_status"].get("429", 0) >= 10, stats["by_status"]  # it was a storm (~30 expected)
    assert out.returncode == 0 and not out.errors, out.tail()
    assert any("429" in line for line in out.logs()), "the waits must be logged"
    assert_equals_truth(out.records, sandbox.dump())
    FIGURES.add("rate_limited_answers_survived", stats["by_status"]["429"])


@pytest.fixture(scope="module")
def quota_stop():
    """A source sync that spends the location's daily quota (25 requests) half way."""
    with SandboxProcess(seed=32, contacts=40, rate_limit_daily=25, rate_limit_burst=1000) as sandbox:
        config = pit_config(sandbox, **GREEDY)
        catalog = source_catalog("contacts", *CHILDREN)
        yield sandbox, config, catalog, run_source("read", config, catalog)


def test_source_stops_cleanly_on_a_spent_daily_quota_and_the_next_run_finishes(quota_stop):
    sandbox, config, catalog, first = quota_stop
    _assert_stopped_for_the_daily_quota(first)
    assert first.states, "at least one page was checkpointed before the quota ran out"
    assert len(first.records["contacts"]) < 40 or any(len(first.records[s]) < 1 for s in CHILDREN)

    sandbox.set_faults(rate_limit_daily=200_000)  # the next day
    second = run_source("read", config, catalog, state=first.final_states())
    assert second.returncode == 0 and not second.errors, second.tail()
    merged = {stream: first.records[stream] + second.records[stream] for stream in ("contacts", *CHILDREN)}
    assert_equals_truth(merged, sandbox.dump())
    FIGURES.add("quota_stops_resumed", 1)


def test_source_reports_a_spent_daily_quota_as_transient_to_the_platform(quota_stop):
    _, _, _, first = quota_stop
    assert first.errors[-1]["failure_type"] == "transient_error", first.errors[-1]["message"][:300]


def _destination_config(sandbox, **extra):
    return pit_config(sandbox, request_timeout_seconds=5, default_calendar_id=calendar_id(sandbox), **extra)


def test_destination_waits_out_a_429_storm():
    lines = rankr.export(contacts=8, state_every=6)
    with SandboxProcess(seed=33, contacts=10, rate_limit_burst=2000) as sandbox:
        assert run_destination("write", _destination_config(sandbox, requests_per_10_seconds=1000), lines).returncode == 0
        clean = rankr.signature(sandbox.dump())
        sandbox.reset()
        sandbox.set_faults(seed=33, **STORM)
        result = run_destination("write", _destination_config(sandbox, requests_per_10_seconds=1000), lines)
        stats = sandbox.stats()
        sandbox.set_faults(fault_429=0)
        dump = sandbox.dump()
    assert stats["by_status"].get("429", 0) >= 5, stats["by_status"]  # ~15 expected
    assert result.returncode == 0 and not result.errors and not result.rejections, result.tail()
    assert rankr.signature(dump) == clean
    FIGURES.add("rate_limited_answers_survived", stats["by_status"]["429"])
    FIGURES.add("records_verified", len(rankr.records_of(lines)))


def test_destination_stops_cleanly_on_a_spent_daily_quota_and_the_resumed_sync_finishes(sandbox_factory):
    lines = rankr.export(contacts=16, state_every=4)
    sandbox = sandbox_factory(seed=34, contacts=10, rate_limit_burst=2000, rate_limit_daily=40)
    # Where the quota runs out depends on how the parallel calls interleave, so the resumed sync may start with
    # children whose contact the first sync wrote: they are found by the Rankr id custom field (docs: "Contacts
    # of earlier syncs").
    config = _destination_config(sandbox, requests_per_10_seconds=1000, concurrency=2,
                                 rankr_id_custom_field="referral_code")
    first = run_destination("write", config, lines)
    _assert_stopped_for_the_daily_quota(first)
    committed = first.of_type("STATE")
    position = committed[-1]["state"]["global"]["shared_state"]["position"] if committed else 0
    assert position < len(rankr.records_of(lines)), "the quota ran out before the end"

    sandbox.set_faults(rate_limit_daily=200_000)
    second = run_destination("write", config, rankr.resume_lines(lines, position))
    assert second.returncode == 0 and not second.errors, second.tail()
    dump = sandbox.dump()
    assert rankr.duplicates(dump) == {"contacts": {}, "tasks": {}, "notes": {}, "appointments": {}}
    assert not second.rejections, second.rejections
    assert not rankr.landed(dump, lines), rankr.landed(dump, lines)
    FIGURES.add("quota_stops_resumed", 1)
    FIGURES.add("records_verified", len(rankr.records_of(lines)))
