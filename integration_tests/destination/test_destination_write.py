"""destination-ghl-contacts end to end: the sample Rankr export (fixtures/rankr_export.jsonl, streams
interleaved, some children before their contact, some invalid records) written through the console script."""

from __future__ import annotations

import json

import pytest

from . import harness
from .harness import FIXTURES, config, marked, run, sample_lines, signature

EXPECTED = json.loads((FIXTURES / "expected.json").read_text())


def _records(stream):
    return [json.loads(line)["record"]["data"] for line in sample_lines()
            if json.loads(line)["type"] == "RECORD" and json.loads(line)["record"]["stream"] == stream]


def _valid_ids(stream):
    invalid = {i["rankrId"] for i in EXPECTED["invalid"] if i["stream"] == stream}
    return sorted({r["rankrId"] for r in _records(stream)} - invalid)


@pytest.fixture(scope="module")
def sandbox(sandbox_factory_module):
    return sandbox_factory_module


@pytest.fixture(scope="module")
def sandbox_factory_module():
    from ghl_sandbox.process import SandboxProcess

    with SandboxProcess(seed=3, **harness.FAST) as sb:
        yield sb


@pytest.fixture(scope="module")
def first_and_second(sandbox):
    sandbox.reset()
    before = sandbox.dump()
    first = run("write", config(sandbox), sample_lines())
    after_first = sandbox.dump()
    sandbox.reset_stats()
    second = run("write", config(sandbox), sample_lines())
    return before, first, after_first, second, sandbox.dump(), sandbox.stats()


def test_sample_lands_in_ghl_as_expected(first_and_second):
    before, first, after, _, _, _ = first_and_second
    assert first.returncode == 0, first.stderr[-2000:]
    emails = {r["email"] for r in _records("contacts") if r["rankrId"] in _valid_ids("contacts")}
    new = [c for c in after["contacts"] if c["id"] not in {b["id"] for b in before["contacts"]}]
    assert sorted(c["email"] for c in new) == sorted(emails)
    assert len(after["contacts"]) == len(before["contacts"]) + len(emails)
    assert marked(after, "tasks") == _valid_ids("tasks")
    assert marked(after, "notes") == _valid_ids("notes")
    assert marked(after, "appointments") == _valid_ids("appointments")


def test_a_changed_task_updates_the_same_ghl_task_and_completes_it(first_and_second):
    _, _, after, _, _, _ = first_and_second
    versions = [r for r in _records("tasks") if r["rankrId"] == "rk_t_000001"]
    assert len(versions) == 2 and versions[-1]["status"] == "completed"
    task = [t for t in after["tasks"] if "[rankr:rk_t_000001]" in (t.get("body") or "")]
    assert len(task) == 1
    assert task[0]["title"] == versions[-1]["title"] and task[0]["completed"] is True


def test_tags_are_added_never_replaced(first_and_second):
    _, _, after, _, _, _ = first_and_second
    by_email = {c.get("email"): c for c in after["contacts"]}
    contacts = {r["rankrId"]: r for r in _records("contacts")}
    for record in _records("tags"):
        contact = by_email[contacts[record["contactRankrId"]]["email"]]
        wanted = set(record["tags"]) | set(contacts[record["contactRankrId"]]["tags"])
        assert wanted <= set(contact["tags"])


def test_invalid_records_are_rejected_with_stream_key_and_reason(first_and_second):
    _, first, _, _, _, _ = first_and_second
    rejected = {(line.split("stream=")[1].split()[0], line.split("key=")[1].split()[0]): line
                for line in first.rejections}
    for invalid in EXPECTED["invalid"]:
        line = rejected[(invalid["stream"], invalid["rankrId"])]
        assert "reason=" in line and len(line.split("reason=")[1]) > 10
    assert not first.of_type("TRACE") or all(t["trace"]["type"] != "ERROR" for t in first.of_type("TRACE"))
    assert "rejected=3" in first.summary  # contacts


def test_every_state_is_echoed_after_its_records(first_and_second):
    _, first, _, _, _, _ = first_and_second
    sent = [json.loads(line) for line in sample_lines() if json.loads(line)["type"] == "STATE"]
    echoed = [dict(m["state"]) for m in first.of_type("STATE")]
    stats = [state.pop("destinationStats") for state in echoed]
    assert echoed == [m["state"] for m in sent]
    # each STATE counts the records since the previous one, and how many of them were rejected
    records = sum(1 for line in sample_lines() if json.loads(line)["type"] == "RECORD")
    assert sum(s["recordCount"] for s in stats) == records
    assert sum(s["rejectedRecordCount"] for s in stats) == len(first.rejections) == len(EXPECTED["invalid"])
    # the summary comes last: every rejection was reported before the final STATE
    kinds = [m["type"] for m in first.messages if m["type"] in ("STATE",) or "Rejected" in json.dumps(m)]
    assert kinds[-1] == "STATE"


def test_writing_twice_changes_nothing(first_and_second):
    _, _, after_first, second, after_second, stats = first_and_second
    assert second.returncode == 0
    assert after_second == after_first
    writes = {route: n for route, n in stats["by_route"].items() if not route.startswith("GET")
              and route != "POST /contacts/search"}
    # The export holds two versions of task rk_t_000001 in different STATE windows: a replay passes through
    # the old version again (one PUT back and forth). Nothing is created, and everything else is untouched.
    assert set(writes) <= {"PUT /contacts/{contactId}/tasks/{taskId}", "PUT /contacts/{contactId}/tasks/{taskId}/completed"}
    assert all(sum(n.values()) <= 2 for n in writes.values()), writes
    assert "created=0 updated=0" in second.summary.split("; tasks")[0]
    assert "created=0" in second.summary and "tasks: created=0 updated=2" in second.summary


def test_dry_run_reports_and_writes_nothing(sandbox):
    sandbox.reset()
    before = sandbox.dump()
    result = run("write", config(sandbox, dry_run=True), sample_lines())
    assert result.returncode == 0
    assert sandbox.dump() == before
    assert "Dry run summary" in result.summary and "contacts: created=10" in result.summary
    assert any(line.startswith("Would reject") for line in result.rejections)


def test_a_killed_sync_resumed_from_its_last_state_leaves_no_duplicate(sandbox):
    # The resumed sync refers to contacts the killed one wrote: they are found by the Rankr id custom field.
    cfg = dict(rankr_id_custom_field="referral_code")
    sandbox.reset()
    clean = run("write", config(sandbox, **cfg), sample_lines())
    assert clean.returncode == 0
    expected = signature(sandbox.dump())
    for after_states in (1, 3):
        sandbox.reset()
        killed = harness.run_killed(config(sandbox, concurrency=1, **cfg), sample_lines(), after_states)
        assert killed.returncode == -9
        resumed = run("write", config(sandbox, **cfg),
                      harness.resume_lines(sample_lines(), killed.last_state_position()))
        assert resumed.returncode == 0
        assert signature(sandbox.dump()) == expected, f"killed after {after_states} states"


def test_check_with_a_read_write_token_succeeds(sandbox):
    status = run("check", config(sandbox)).of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "SUCCEEDED"


def test_a_read_only_token_fails_check_clearly_and_writes_nothing(sandbox):
    sandbox.reset()
    before = sandbox.dump()
    readonly = sandbox.credentials["private_integration_tokens"]["readonly"]
    status = run("check", config(sandbox, token=readonly)).of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED"
    assert "contacts.write" in status["message"] and readonly not in status["message"]
    result = run("write", config(sandbox, token=readonly), sample_lines())
    assert result.returncode != 0
    errors = [t["trace"]["error"]["message"] for t in result.of_type("TRACE") if t["trace"]["type"] == "ERROR"]
    assert errors and "scope" in errors[0]
    assert sandbox.dump() == before


def test_appointment_scope_is_checked_only_when_appointments_are_written(sandbox):
    token = sandbox.mint_token(["contacts.readonly", "contacts.write", "calendars.readonly"])
    failed = run("check", config(sandbox, token=token)).of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert failed["status"] == "FAILED" and "calendars/events.write" in failed["message"]
    ok = run("check", config(sandbox, token=token, streams={"appointments": ""})).of_type("CONNECTION_STATUS")[0]
    assert ok["connectionStatus"]["status"] == "SUCCEEDED"


def test_a_bad_config_names_the_field(sandbox):
    result = run("check", dict(config(sandbox), contact_write_mode="sometimes"))
    status = result.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED" and "contact_write_mode" in status["message"]
