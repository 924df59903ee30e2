"""Malformed GHL answers (wrong types, missing keys, HTML pages with a 200) never lose or duplicate a record
silently: the source fails with an error that names GHL, or emits what it got with a warning; the destination
rejects the record with a reason or stops with an error that names GHL, and never crashes.

(5xx HTML pages, cut-off JSON and dropped connections are injected by the sandbox in the integration suite.)
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest
from airbyte_cdk.models import AirbyteMessageSerializer, ConfiguredAirbyteCatalogSerializer
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_ghl_contacts.destination import DestinationGhlContacts
from integration_tests.reliability import rankr
from integration_tests.reliability.figures import FIGURES
from source_ghl_contacts import SourceGhlContacts

BASE = "https://services.leadconnectorhq.com"
TOKEN = "pit-unit-reliability-0001"
RATE = {"x-ratelimit-remaining": "99", "x-ratelimit-max": "100", "x-ratelimit-interval-milliseconds": "10"}
HTML = {"text": "<html><body><h1>Down for maintenance</h1></body></html>",
        "headers": {**RATE, "content-type": "text/html"}}


def contact(n: int, **fields: Any) -> Dict[str, Any]:
    cid = f"c{n:019d}"
    record = {"id": cid, "locationId": "loc1", "dateAdded": "2025-01-01T00:00:00.000Z",
              "dateUpdated": f"2025-01-02T00:0{n}:00.000Z", "searchAfter": [1735776000000 + n, cid]}
    record.update(fields)
    return record


# -- source ---------------------------------------------------------------------------------------------------

SOURCE_CONFIG = {"credentials": {"auth_type": "private_integration_token", "token": TOKEN}, "location_id": "loc1",
                 "api_base_url": BASE}


def _catalog(*streams: str):
    return ConfiguredAirbyteCatalogSerializer.load({"streams": [
        {"stream": {"name": s, "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
         "sync_mode": "full_refresh", "destination_sync_mode": "append"} for s in streams]})


def _source_read(*streams: str):
    catalog = _catalog(*streams)
    out = read(SourceGhlContacts(catalog=catalog, config=SOURCE_CONFIG, state=None), SOURCE_CONFIG, catalog, None,
               expecting_exception=True)
    FIGURES.add("malformed_responses_tried", 1)
    return out


def _silent(out) -> bool:
    warnings = [m for m in out.logs if m.log.level.name in ("WARN", "ERROR")]
    return not out.errors and not warnings


@pytest.mark.parametrize("answer", [
    pytest.param({"json": {"contacts": "oops", "total": 3}}, id="contacts-not-a-list"),
    pytest.param({"json": {"total": 3, "traceId": "t"}}, id="contacts-missing"),
    pytest.param({"json": [contact(1)]}, id="body-a-list"),
    pytest.param(HTML, id="html-page-with-200"),
    pytest.param({"json": {"contacts": [contact(1), "garbage", None], "total": 3}}, id="items-not-objects"),
])
def test_a_malformed_search_answer_fails_clearly_instead_of_ending_the_sync_quietly(http, answer):
    http.post(BASE + "/contacts/search", **{"headers": RATE, **answer})
    out = _source_read("contacts")
    assert not _silent(out), "a malformed answer ended the sync with no error and no warning"
    assert out.errors, "expected the sync to fail"
    assert any("GHL" in error.trace.error.message for error in out.errors), [e.trace.error.message for e in out.errors]


def test_a_contact_without_its_cursor_is_emitted_with_a_warning(http):
    broken = {k: v for k, v in contact(2).items() if k != "dateUpdated"}
    http.post(BASE + "/contacts/search", json={"contacts": [contact(1), broken], "total": 2}, headers=RATE)
    out = _source_read("contacts")
    assert [r.record.data["id"] for r in out.records] == [contact(1)["id"], broken["id"]]
    assert any("dateUpdated" in m.log.message for m in out.logs if m.log.level.name == "WARN")


def test_a_contact_without_its_primary_key_is_not_emitted_silently(http):
    broken = {k: v for k, v in contact(2).items() if k != "id"}
    http.post(BASE + "/contacts/search", json={"contacts": [contact(1), broken], "total": 2}, headers=RATE)
    out = _source_read("contacts")
    assert all("id" in r.record.data for r in out.records) or not _silent(out)


def test_a_malformed_child_answer_is_not_read_as_no_children(http):
    http.post(BASE + "/contacts/search", json={"contacts": [contact(1)], "total": 1}, headers=RATE)
    http.get(BASE + f"/contacts/{contact(1)['id']}/notes", json={"notes": "oops"}, headers=RATE)
    out = _source_read("contacts", "notes")
    assert not _silent(out)


# -- destination ----------------------------------------------------------------------------------------------

DESTINATION_CONFIG = {"credentials": {"auth_type": "private_integration_token", "token": TOKEN}, "location_id": "loc1",
                      "api_base_url": BASE, "requests_per_10_seconds": 1000, "request_timeout_seconds": 5,
                      "streams": {"appointments": ""}}
LINES = [rankr.record("contacts", {"rankrId": "rk_c_1", "email": "lead1@example.com", "firstName": "A", "lastName": "B"}),
         rankr.record("tasks", {"rankrId": "rk_t_1", "contactRankrId": "rk_c_1", "title": "Call",
                                "dueDate": "2026-12-03T10:00:00Z", "status": "open"}),
         rankr.state(2)]
GOOD = {
    ("GET", "/locations/loc1/customFields"): {"json": {"customFields": []}},
    ("GET", "/contacts/search/duplicate"): {"json": {"contact": None}},
    ("POST", "/contacts/"): {"json": {"contact": {"id": "C1", "email": "lead1@example.com"}}, "status_code": 201},
    ("GET", "/contacts/C1/tasks"): {"json": {"tasks": []}},
    ("POST", "/contacts/C1/tasks"): {"json": {"task": {"id": "T1", "body": "Call\n\n[rankr:rk_t_1]"}}, "status_code": 201},
}
# The contact already in GHL: its tasks are listed before the task is written (a contact this sync creates has
# none, so its listing is not read).
FOUND = {("GET", "/contacts/search/duplicate"): {"json": {"contact": {
    "id": "C1", "email": "lead1@example.com", "firstName": "A", "lastName": "B"}}}}


def _destination_write(http, monkeypatch, answers=None) -> List[Dict[str, Any]]:
    monkeypatch.setattr("destination_ghl_contacts.ghl.time.sleep", lambda seconds: None)  # lost-create pauses
    for (method, path), answer in {**GOOD, **(answers or {})}.items():
        http.register_uri(method, BASE + path, **{"headers": RATE, **answer})
    messages = [AirbyteMessageSerializer.load(json.loads(line)) for line in LINES]
    FIGURES.add("malformed_responses_tried", 1)
    try:
        out = DestinationGhlContacts().write(DESTINATION_CONFIG, ConfiguredAirbyteCatalogSerializer.load(rankr.CATALOG),
                                             iter(messages))
        return [AirbyteMessageSerializer.dump(m) for m in out]
    except AirbyteTracedException as exc:  # a deliberate stop: it must say what GHL did
        assert "GHL" in exc.message, exc.message
        return [{"type": "TRACE", "trace": {"type": "ERROR", "error": {"message": exc.message}}}]


def _outcome_of_each_record(out) -> None:
    """Each record is accounted for: written (the summary counts it), rejected with a reason, or the sync
    stopped with an error naming GHL (the platform re-sends the records after the last STATE)."""
    logs = [m["log"]["message"] for m in out if m["type"] == "LOG"]
    if any(m["type"] == "TRACE" for m in out):
        return
    summary = next(text for text in logs if text.startswith("Write summary"))
    rejections = [text for text in logs if text.startswith("Rejected record")]
    assert all("reason=" in text and len(text.split("reason=")[1]) > 10 for text in rejections), rejections
    assert "contacts: created=1" in summary or "contacts: created=0 updated=0 unchanged=1" in summary, summary
    assert "tasks: created=1" in summary or any("rk_t_1" in text for text in rejections), logs


def _task_posts(http) -> int:
    return sum(1 for r in http.request_history if r.method == "POST" and r.path.endswith("/tasks"))


def test_well_formed_answers_write_both_records(http, monkeypatch):
    _outcome_of_each_record(_destination_write(http, monkeypatch))
    assert _task_posts(http) == 1


@pytest.mark.parametrize("answers", [
    pytest.param({("POST", "/contacts/"): HTML}, id="create-answered-with-an-html-200"),
    pytest.param({("GET", "/contacts/search/duplicate"): HTML}, id="lookup-answered-with-an-html-200"),
    pytest.param({**FOUND, ("GET", "/contacts/C1/tasks"): HTML}, id="task-listing-answered-with-an-html-200"),
    pytest.param({("POST", "/contacts/C1/tasks"): {"json": {}, "status_code": 201}}, id="task-create-answer-without-task"),
    pytest.param({("POST", "/contacts/"): {"json": {}, "status_code": 201}}, id="create-answer-without-contact"),
    pytest.param({("POST", "/contacts/"): {"json": {"contact": "C1"}, "status_code": 201}}, id="create-answer-contact-a-string"),
    pytest.param({("GET", "/contacts/search/duplicate"): {"json": {"contact": "C9"}}}, id="lookup-contact-a-string"),
    pytest.param({**FOUND, ("GET", "/contacts/C1/tasks"): {"json": {"tasks": "oops"}}}, id="task-listing-a-string"),
    pytest.param({**FOUND, ("GET", "/contacts/C1/tasks"): {"json": {"tasks": [None, 5]}}},
                 id="task-listing-items-not-objects"),
])
def test_a_malformed_answer_is_a_reason_or_a_clear_stop(http, monkeypatch, answers):
    _outcome_of_each_record(_destination_write(http, monkeypatch, answers))


def test_a_listing_without_its_list_does_not_lead_to_a_blind_create(http, monkeypatch):
    out = _destination_write(http, monkeypatch, {**FOUND, ("GET", "/contacts/C1/tasks"): {"json": {"traceId": "t"}}})
    _outcome_of_each_record(out)
    assert _task_posts(http) == 0, "the task was created on the strength of a malformed listing"
