"""A generic Airbyte source, not a Rankr export: streams named its own way, primary keys of its own (integers
and strings), no Rankr ids, tasks and notes referring to contacts by GHL `contactId` or by the lead's primary
key. It lands exactly, replays create nothing, a killed sync resumed creates no duplicate; two leads that
share an email or a phone become one GHL contact only for the first, on every replay."""

from __future__ import annotations

import json
import re

import pytest

from . import harness
from .harness import config, resume_lines, run, run_killed

STREAMS = {"contacts": "leads", "tasks": "todos", "notes": "comments", "appointments": "meetings", "tags": ""}


def _stream(name, primary_key=None):
    configured = {"stream": {"name": name, "json_schema": {"type": "object"}, "supported_sync_modes": ["full_refresh"]},
                  "sync_mode": "full_refresh", "destination_sync_mode": "append_dedup" if primary_key else "append"}
    if primary_key:
        configured["primary_key"] = primary_key
    return configured


# comments declare no primary key: their content is their key.
CATALOG = {"streams": [_stream("leads", [["id"]]), _stream("todos", [["id"]]), _stream("comments"),
                       _stream("meetings", [["uid"]])]}


def _record(stream, data):
    return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1767225600000}})


def _state(position):
    return json.dumps({"type": "STATE", "state": {"type": "GLOBAL", "global": {
        "shared_state": {"position": position}, "stream_states": []}}})


def _leads():
    return [{"id": n, "email": f"generic.lead.{n}@example.com", "firstName": f"Lead{n}", "lastName": "Generic",
             "phone": f"+1 555 0100 {n:03d}", "tags": ["generic"]} for n in range(1, 5)]


def _lines(seeded):
    """Four leads, tasks on seeded GHL contacts (by contactId) and on a lead (by its primary key), a task
    changed within the sync, notes without any key, an appointment keyed by a string."""
    leads = _leads()
    todos = [{"id": 10 + i, "contactId": seeded[i], "title": f"Follow up {i}", "dueDate": "2026-12-10T09:00:00Z",
              "status": "open"} for i in range(3)]
    todos.append({"id": 20, "contactRankrId": 2, "title": "Call the lead", "dueDate": "2026-12-11T09:00:00+01:00",
                  "status": "open"})
    done = dict(todos[0], status="completed")
    comments = [{"contactId": seeded[0], "body": "Met at the fair"}, {"contactId": seeded[1], "body": "Prefers email"}]
    meeting = {"uid": "mtg-7", "contactId": seeded[2], "title": "Demo", "status": "confirmed",
               "startTime": "2026-12-09T14:00:00-05:00", "endTime": "2026-12-09T14:30:00-05:00"}
    records = ([("leads", r) for r in leads] + [("todos", r) for r in todos] + [("comments", r) for r in comments]
               + [("meetings", meeting), ("todos", done)])
    lines = []
    for position, (stream, data) in enumerate(records, start=1):
        lines += [_record(stream, data), _state(position)]
    return lines


@pytest.fixture(scope="module")
def sandbox():
    from ghl_sandbox.process import SandboxProcess

    with SandboxProcess(seed=11, **harness.FAST) as sb:
        yield sb


def _config(sandbox):
    return config(sandbox, streams=STREAMS)


def _seeded(sandbox):
    return sorted(c["id"] for c in sandbox.dump()["contacts"])[:3]


def _markers(dump, kind):
    field = "notes" if kind == "appointments" else "body"
    return sorted(m for item in dump[kind] for m in re.findall(r"\[key:([^\]]+)\]", item.get(field) or ""))


def _assert_landed(before, after):
    emails = sorted(c["email"] for c in after["contacts"] if c["id"] not in {b["id"] for b in before["contacts"]})
    assert emails == sorted(lead["email"] for lead in _leads())
    assert _markers(after, "tasks") == ["10", "11", "12", "20"]
    assert _markers(after, "appointments") == ["mtg-7"]
    assert len(_markers(after, "notes")) == 2 and all(m.startswith("c-") for m in _markers(after, "notes"))
    by_marker = {m.group(1): t for t in after["tasks"] for m in [re.search(r"\[key:([^\]]+)\]", t.get("body") or "")] if m}
    assert by_marker["10"]["completed"] is True and by_marker["11"]["completed"] is False
    lead_2 = next(c for c in after["contacts"] if c["email"] == "generic.lead.2@example.com")
    assert by_marker["20"]["contactId"] == lead_2["id"]


def test_a_generic_source_lands_exactly_and_a_replay_creates_nothing(sandbox):
    sandbox.reset()
    before = sandbox.dump()
    lines = _lines(_seeded(sandbox))
    first = run("write", _config(sandbox), lines, catalog=CATALOG)
    assert first.returncode == 0 and not first.rejections, (first.rejections, first.stderr[-2000:])
    after = sandbox.dump()
    _assert_landed(before, after)

    second = run("write", _config(sandbox), lines, catalog=CATALOG)
    assert second.returncode == 0 and not second.rejections, second.rejections
    assert "created=" in second.summary and not re.search(r"created=[1-9]", second.summary), second.summary
    again = sandbox.dump()
    assert {k: len(v) for k, v in again.items() if isinstance(v, list)} == \
        {k: len(v) for k, v in after.items() if isinstance(v, list)}


def test_a_generic_sync_killed_and_resumed_creates_no_duplicate(sandbox):
    """The resumed sync's task 20 refers to lead 2 of the killed sync: found through the custom field that
    holds each lead's primary key (rankr_id_custom_field)."""
    sandbox.reset()
    before = sandbox.dump()
    lines = _lines(_seeded(sandbox))
    cfg = dict(_config(sandbox), rankr_id_custom_field="referral_code")
    killed = run_killed(cfg, lines, after_states=6, catalog=CATALOG)
    assert killed.returncode != 0
    # What Airbyte sends again: everything after the last STATE the destination echoed.
    resumed = run("write", cfg, resume_lines(lines, killed.last_state_position()), catalog=CATALOG)
    assert resumed.returncode == 0 and not resumed.rejections, resumed.rejections
    # and a full replay afterwards still finds every record
    replay = run("write", cfg, lines, catalog=CATALOG)
    assert replay.returncode == 0 and not replay.rejections, replay.rejections
    _assert_landed(before, sandbox.dump())


CONFLICTS = [("leads", {"id": 501, "email": "shared.501@example.com", "firstName": "First", "lastName": "Owner"}),
             ("leads", {"id": 502, "email": "Shared.501@example.com", "firstName": "Second", "lastName": "Comer"}),
             ("leads", {"id": 503, "email": "own.503@example.com", "firstName": "Phone", "lastName": "Owner",
                        "phone": "+1 555 0199 503"}),
             ("leads", {"id": 504, "email": "own.504@example.com", "firstName": "Phone", "lastName": "Sharer",
                        "phone": "+1 (555) 0199-503"})]


def test_two_leads_on_one_ghl_contact_the_first_keeps_it_on_every_replay(sandbox):
    sandbox.reset()
    lines = [_record(stream, data) for stream, data in CONFLICTS] + [_state(len(CONFLICTS))]
    outcomes = []
    for _ in range(3):
        result = run("write", _config(sandbox), lines, catalog=CATALOG)
        assert result.returncode == 0, result.stderr[-2000:]
        outcomes.append((sorted(result.rejections), result.summary))
        by_email = {c["email"]: c for c in sandbox.dump()["contacts"]}
        assert by_email["shared.501@example.com"]["firstName"] == "First"
        assert "own.504@example.com" not in by_email and by_email["own.503@example.com"]["lastName"] == "Owner"
    rejections, summary = outcomes[0]
    assert len(rejections) == 2, rejections
    assert "key=502" in rejections[0] and "primary key 501" in rejections[0] and "shared.501@example.com" in rejections[0]
    assert "key=504" in rejections[1] and "primary key 503" in rejections[1] and "phone 15550199503" in rejections[1]
    assert [o[0] for o in outcomes] == [rejections] * 3  # the same records rejected for the same reasons, every time
    assert "contacts: created=2 updated=0 unchanged=0 rejected=2" in summary
    assert all("contacts: created=0 updated=0 unchanged=2 rejected=2" in o[1] for o in outcomes[1:])
