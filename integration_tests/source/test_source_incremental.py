"""Incremental syncs: changed records only, far fewer requests, resume from a mid-sync state, search lag."""

import time

import pytest
import requests

from ghl_sandbox.process import SandboxProcess

from .harness import catalog, pit_config, run_source

CHILDREN = ("tasks", "notes", "appointments")


def _requests(stats):
    return sum(sum(by_status.values()) for by_status in stats["by_route"].values())


def test_incremental_after_mutate_emits_every_change_with_fewer_requests(fresh_sandbox):
    config = pit_config(fresh_sandbox)
    first = run_source("read", config, catalog())
    assert first.returncode == 0, first.raw[-3000:]
    full_requests = _requests(fresh_sandbox.stats())

    changes = fresh_sandbox.mutate(update=4, add=3, seed=5)
    fresh_sandbox.reset_stats()
    second = run_source("read", config, catalog(), state=first.final_states())
    assert second.returncode == 0, second.raw[-3000:]

    emitted = {record["id"] for record in second.records["contacts"]}
    assert set(changes["updated"]) | set(changes["added"]) <= emitted
    truth = fresh_sandbox.dump()
    changed = set(changes["updated"]) | set(changes["added"])
    for stream in CHILDREN:
        expected = {r["id"] for r in truth[stream] if r["contactId"] in changed}
        assert expected <= {r["id"] for r in second.records[stream]}, stream
    incremental_requests = _requests(fresh_sandbox.stats())
    # Requests follow the changes: the contacts read again (changed, or inside the lookback window) cost their
    # three child lists each, plus the searches (contacts and each child stream's) and the custom-field
    # definitions; the first sync read tasks and appointments location-wide, so it is only a few times dearer.
    reread = len(second.records["contacts"])
    assert incremental_requests <= 3 * reread + 8, (incremental_requests, reread)  # 4 streams, 2 pages each at most
    assert incremental_requests * 2 < full_requests, (incremental_requests, full_requests)


def test_tasks_due_in_the_future_do_not_stop_the_next_incremental_reading_children(fresh_sandbox):
    sandbox = fresh_sandbox
    for contact in sandbox.dump()["contacts"][:3]:
        answer = requests.post(
            f"{sandbox.base_url}/contacts/{contact['id']}/tasks", headers=sandbox.headers(),
            json={"title": "Renewal call", "dueDate": "2099-12-18T21:15:00.000Z", "completed": False}, timeout=10,
        )
        assert answer.status_code in (200, 201), answer.text
    config = pit_config(sandbox)
    first = run_source("read", config, catalog("contacts", *CHILDREN))
    assert first.returncode == 0, first.raw[-3000:]
    assert any(task["dueDate"].startswith("2099") for task in first.records["tasks"])

    changes = sandbox.mutate(update=4, add=3, seed=5)
    second = run_source("read", config, catalog("contacts", *CHILDREN), state=first.final_states())
    assert second.returncode == 0, second.raw[-3000:]
    changed = set(changes["updated"]) | set(changes["added"])
    truth = sandbox.dump()
    for stream in CHILDREN:
        expected = {r["id"] for r in truth[stream] if r["contactId"] in changed}
        assert expected, stream
        assert expected <= {r["id"] for r in second.records[stream]}, stream
    for state in second.final_states():
        assert "2099" not in str(state["stream"]["stream_state"]), state


def test_resume_from_a_mid_sync_state_loses_nothing(fresh_sandbox):
    config = pit_config(fresh_sandbox, page_size=20)
    first = run_source("read", config, catalog("contacts"))
    assert first.returncode == 0, first.raw[-3000:]
    states = first.states
    assert len(states) >= 3  # a checkpoint after every page, then the final one
    mid_state = states[0]
    cursor = mid_state["stream"]["stream_state"]["dateUpdated"]
    before_checkpoint = [r for r in first.records["contacts"][:20]]
    assert all(r["dateUpdated"] <= cursor[:23] + "Z" for r in before_checkpoint)

    resumed = run_source("read", config, catalog("contacts"), state=[mid_state])
    assert resumed.returncode == 0, resumed.raw[-3000:]
    seen = {r["id"] for r in before_checkpoint} | {r["id"] for r in resumed.records["contacts"]}
    assert seen == {c["id"] for c in fresh_sandbox.dump()["contacts"]}
    assert len(resumed.records["contacts"]) < len(first.records["contacts"])


def test_search_lag_is_caught_up_by_the_next_incremental(sandbox_factory):
    sandbox = sandbox_factory(seed=3, contacts=30, search_lag_seconds=2)
    config = pit_config(sandbox, lookback_window_minutes=10)
    first = run_source("read", config, catalog("contacts"))
    changed = sandbox.mutate(update=2, add=1, seed=9)
    just_after = run_source("read", config, catalog("contacts"), state=first.final_states())
    time.sleep(2.5)
    later = run_source("read", config, catalog("contacts"), state=just_after.final_states())
    ids = {r["id"] for r in later.records["contacts"]}
    assert set(changed["updated"]) | set(changed["added"]) <= ids
    emitted_dates = {r["id"]: r["dateUpdated"] for r in later.records["contacts"]}
    truth = {c["id"]: c["dateUpdated"] for c in sandbox.dump()["contacts"]}
    for contact_id in changed["updated"]:
        assert emitted_dates[contact_id] == truth[contact_id]


@pytest.fixture(scope="module")
def big_sandbox():
    with SandboxProcess(seed=5, contacts=10_500, no_rate_limit=True) as sandbox:
        yield sandbox


def test_paging_beyond_ten_thousand_contacts(big_sandbox):
    out = run_source("read", pit_config(big_sandbox, requests_per_10_seconds=1000), catalog("contacts"))
    assert out.returncode == 0, out.raw[-3000:]
    emitted = [r["id"] for r in out.records["contacts"]]
    assert len(emitted) == len(set(emitted)) == 10_500
    assert set(emitted) == {c["id"] for c in big_sandbox.dump()["contacts"]}
    assert len(out.states) >= 21  # one checkpoint per page of 500
