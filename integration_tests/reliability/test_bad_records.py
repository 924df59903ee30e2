"""Malformed destination input (hypothesis): every broken record is rejected with a reason naming the broken
field, every valid one lands in GHL, records of unknown streams are skipped with a warning, nothing crashes.

The property test drives the destination's `write` in process (a subprocess per example would cost ~2 s of
imports each) against a real sandbox; `test_malformed_input_through_the_entry_point` sends the worst cases
through the real console script.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest
from airbyte_cdk.models import AirbyteMessageSerializer, ConfiguredAirbyteCatalogSerializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from destination_ghl_contacts.destination import DestinationGhlContacts
from ghl_sandbox.process import SandboxProcess

from . import rankr
from .bad_records import Case, batch, reason_names
from .figures import FIGURES
from .harness import calendar_id, pit_config, run_destination

_examples = itertools.count(1)
REJECTED = re.compile(r"^Rejected record: stream=(\S+) key=(.+?) reason=(.+)$", re.S)


class Config(dict):
    """The destination config; its repr hides the token when hypothesis prints a failing example."""

    def __repr__(self) -> str:
        return "<destination config for the test sandbox>"


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(seed=81, contacts=5, no_rate_limit=True) as sb:
        yield sb


@pytest.fixture(scope="module")
def config(sandbox):
    return Config(pit_config(sandbox, requests_per_10_seconds=1000, request_timeout_seconds=10,
                             default_calendar_id=calendar_id(sandbox)))


def write_in_process(config, cases, extra_lines=()):
    lines = [rankr.record(case.stream, case.data) for case in cases] + list(extra_lines) + [rankr.state(len(cases))]
    messages = [AirbyteMessageSerializer.load(json.loads(line)) for line in lines]
    catalog = ConfiguredAirbyteCatalogSerializer.load(rankr.CATALOG)
    out = list(DestinationGhlContacts().write(config, catalog, iter(messages)))
    return [AirbyteMessageSerializer.dump(m) for m in out]


def _logs(out, level=None):
    return [m["log"]["message"] for m in out if m["type"] == "LOG" and level in (None, m["log"]["level"])]


def _assert_outcomes(sandbox, cases, out):
    rejections = [REJECTED.match(text) for text in _logs(out, "WARN") if text.startswith("Rejected record")]
    broken = [case for case in cases if case.broken]
    assert len(rejections) == len(broken), (
        f"{len(broken)} broken records, {len(rejections)} rejections: {[m.group(0)[:200] for m in rejections]}")
    by_key = {(m.group(1), m.group(2)): m.group(3) for m in rejections}
    for case in broken:
        if (case.stream, case.key) in by_key:
            reason = by_key[(case.stream, case.key)]
            assert reason_names(case.broken, reason), (case.broken, reason)
            assert len(reason) < 400, "a reason is one readable line"
    assert out[-1]["type"] == "STATE" or any(m["type"] == "STATE" for m in out), "the STATE must come back"

    dump = sandbox.dump()
    by_email = {c.get("email"): c for c in dump["contacts"]}
    markers = {kind: {m for item in dump[kind] for m in rankr.MARKER.findall(item.get(field) or "")}
               for kind, field in (("tasks", "body"), ("notes", "body"), ("appointments", "notes"))}
    rankr_email = {c.data["rankrId"]: c.data["email"] for c in cases if c.stream == "contacts" and not c.broken}
    for case in cases:
        if case.broken:
            continue
        if case.stream == "contacts":
            assert case.data["email"] in by_email, f"valid contact did not land: {case.data}"
        elif case.stream == "tags":
            tags = set(by_email[rankr_email[case.data["contactRankrId"]]].get("tags") or [])
            assert {t.strip().lower() for t in case.data["tags"]} <= tags, (case.data, tags)
        else:
            assert case.data["rankrId"] in markers[case.stream], f"valid {case.stream} record did not land: {case.data}"
    FIGURES.add("bad_records_rejected", len(broken))
    FIGURES.add("valid_records_landed", len(cases) - len(broken))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_bad_record_is_rejected_with_its_field_and_every_valid_one_lands(sandbox, config, data):
    cases = data.draw(batch(tag=f"h{next(_examples)}"))
    out = write_in_process(config, cases)
    _assert_outcomes(sandbox, cases, out)


def test_records_of_an_unknown_stream_are_skipped_with_a_warning(sandbox, config):
    before = len(sandbox.dump()["contacts"])
    cases = [Case("leads_v2", {"rankrId": "rk_c_unknown1", "email": "unknown1@hypothesis.example.com",
                               "firstName": "A", "lastName": "B"}),
             Case("leads_v2", {"whatever": [1, 2, 3]})]
    out = write_in_process(config, cases)
    warnings = [text for text in _logs(out, "WARN") if "leads_v2" in text]
    assert len(warnings) == 1 and "not mapped" in warnings[0], _logs(out)
    assert any("leads_v2=2" in text for text in _logs(out, "INFO")), "the summary counts the skipped records"
    assert len(sandbox.dump()["contacts"]) == before
    FIGURES.add("bad_records_rejected", len(cases))


# -- the real entry point ----------------------------------------------------------------------------------------

def _raw(stream, data_json):
    return '{"type": "RECORD", "record": {"stream": "%s", "data": %s, "emitted_at": 1}}' % (stream, data_json)


ENTRY_CASES = [
    Case("contacts", {"rankrId": "rk_c_e1", "email": "e1@entry.example.com", "firstName": "Zoë 李 \u202e😀",
                      "lastName": "x" * 100, "companyName": "ß" * 200, "phone": None, "tags": None}),
    Case("contacts", {"rankrId": "rk_c_e2", "email": "not an email", "firstName": "A", "lastName": "B"}, "email"),
    Case("contacts", {"rankrId": "rk_c_e3", "email": "e3@entry.example.com", "firstName": None, "lastName": "B"}, "firstName"),
    Case("contacts", {"rankrId": "rk_c_e4", "email": "e4@entry.example.com", "firstName": "A", "lastName": "B",
                      "companyName": "y" * 100_000}, "companyName"),
    Case("tasks", {"rankrId": "rk_t_e1", "contactRankrId": "rk_c_e1", "title": "Call", "dueDate": "2026-12-03T10:00:00",
                   "status": "open"}, "dueDate"),
    Case("tasks", {"rankrId": "rk_t_e2", "contactRankrId": "rk_c_e1", "title": "Call", "dueDate": "2026-12-03T10:00:00-05:00",
                   "status": "open"}),
    Case("notes", {"rankrId": "rk_n_e1", "contactRankrId": "rk_c_e1", "body": 12345}, "body"),
    Case("notes", {"rankrId": "rk_n_e2", "contactEmail": "e1@entry.example.com", "body": "\u0000 nul and \U0010ffff"}),
    Case("tags", {"rankrId": "rk_g_e1", "contactRankrId": "rk_c_e1", "tags": []}, "tags"),
    Case("appointments", {"rankrId": "rk_a_e1", "contactRankrId": "rk_c_e1", "title": "Demo",
                          "startTime": "2026-12-07T14:00:00-05:00", "endTime": "2026-12-07T13:00:00-05:00",
                          "status": "confirmed"}, "endTime"),
]


def test_malformed_input_through_the_entry_point(sandbox, config):
    lines = [rankr.record(c.stream, c.data) for c in ENTRY_CASES]
    lines += ["this line is not JSON", _raw("tags", '{"rankrId": "rk_g_e2"}'), rankr.state(len(lines))]
    result = run_destination("write", config, lines)
    assert result.returncode == 0, result.tail()
    assert "Traceback" not in result.stderr
    assert not result.errors, result.errors
    rejected = {m.group(2): m.group(3) for m in map(REJECTED.match, result.rejections)}
    for case in ENTRY_CASES:
        if case.broken:
            assert reason_names(case.broken, rejected[case.key]), (case.key, rejected.get(case.key))
    assert reason_names("tags", rejected["rk_g_e2"])
    assert result.of_type("STATE"), "the STATE must come back"
    dump = sandbox.dump()
    assert "e1@entry.example.com" in {c.get("email") for c in dump["contacts"]}
    assert {"rk_t_e2"} <= {m for t in dump["tasks"] for m in rankr.MARKER.findall(t.get("body") or "")}
    assert {"rk_n_e2"} <= {m for t in dump["notes"] for m in rankr.MARKER.findall(t.get("body") or "")}
    FIGURES.add("bad_records_rejected", sum(1 for c in ENTRY_CASES if c.broken) + 1)


def test_a_record_with_an_unpaired_surrogate_is_rejected_not_dropped(sandbox, config):
    line = _raw("contacts", '{"rankrId": "rk_c_sur1", "email": "sur1@entry.example.com", "firstName": "A\\ud800", '
                            '"lastName": "B"}')
    result = run_destination("write", config, [line, rankr.state(1)])
    assert result.returncode == 0
    assert any("rk_c_sur1" in text for text in result.rejections), result.logs()
    assert any("rejected=1" in text for text in result.logs("INFO") if text.startswith("Write summary")), result.logs()
    assert "sur1@entry.example.com" not in result.stdout + result.stderr, "the record's content was echoed"


@pytest.mark.parametrize("line", ['{"type": "RECORD"}', _raw("contacts", '"oops"')], ids=["no-record", "data-not-object"])
def test_a_record_message_without_a_usable_record_is_rejected_without_a_crash(sandbox, config, line):
    valid = rankr.record("contacts", {"rankrId": "rk_c_pm1", "email": "pm1@entry.example.com", "firstName": "A",
                                      "lastName": "B"})
    result = run_destination("write", config, [valid, line, rankr.state(2)])
    assert result.returncode == 0 and not result.errors, result.errors
    assert len(result.rejections) == 1 and result.of_type("STATE"), result.logs()
    assert "pm1@entry.example.com" in {c.get("email") for c in sandbox.dump()["contacts"]}
