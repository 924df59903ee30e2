"""ESTIMATE trace messages: contacts from the search `total`, children from the contacts still to read."""

from airbyte_cdk.models import TraceType

from source_ghl_contacts.components.progress import PROGRESS
from source_ghl_contacts.estimates import row_estimate

from .builders import RATE_HEADERS, ChildResponse, Requests, SearchResponse, config
from .harness import run_read


def _estimates(out):
    return [(m.trace.estimate.name, m.trace.estimate.type.value, m.trace.estimate.row_estimate)
            for m in out.trace_messages if m.trace.type == TraceType.ESTIMATE]


def test_contacts_estimate_is_the_search_total(http):
    page = SearchResponse().with_contacts(3).build()
    page["total"] = 3
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    out = run_read(config(), ["contacts"])
    assert _estimates(out) == [("contacts", "STREAM", 3)]
    assert any(line.log.message.startswith("Finished contacts:") for line in out.logs)  # the LOG lines stay


def test_child_estimate_is_the_children_per_contact_read_times_all_contacts(http):
    page = SearchResponse().with_contacts(1).build()
    page["total"] = 1
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    contact = page["contacts"][0]["id"]
    http.get(Requests.child(contact, "tasks"), json=ChildResponse("tasks").for_contact(contact, 2).build())
    out = run_read(config(), ["tasks"])
    assert _estimates(out) == [("tasks", "STREAM", 2)]


def test_row_estimate_rules():
    PROGRESS.reset()
    assert row_estimate("contacts", 0) is None  # no search answered yet
    PROGRESS.note_search_total(1000)
    PROGRESS.note_search_total(990)  # a later, smaller search (another stream's parent) does not lower it
    PROGRESS.note_search_total(True)  # not a count
    assert row_estimate("contacts", 10) == 1000
    assert row_estimate("contacts", 1005) == 1005  # contacts created during the sync: never below what was emitted
    assert row_estimate("notes", 0) is None  # no contact's notes read yet
    PROGRESS.count(PROGRESS.pages, "notes", 100)  # 100 contacts' notes read ...
    PROGRESS.count(PROGRESS.extracted, "notes", 250)  # ... holding 250 notes, 200 of them emitted yet
    assert row_estimate("notes", 200) == 250 + 2.5 * 900
    assert row_estimate("custom_fields", 8) is None
    PROGRESS.reset()


def test_an_agency_read_adds_up_the_search_totals_of_its_locations():
    PROGRESS.reset()
    PROGRESS.note_search_total(100, "A")
    PROGRESS.note_search_total(90, "A")  # a later, smaller search of the same location does not lower it
    PROGRESS.note_search_total(50, "B")
    assert PROGRESS.search_total == 150
    PROGRESS.reset()
