"""notes: changed contacts only (incremental, default) or every contact (children_mode all_contacts)."""

from .builders import RATE_HEADERS, ChildResponse, Requests, SearchResponse, config
from .harness import run_read


def test_incremental_notes_read_only_contacts_changed_since_the_parent_state(http):
    page = SearchResponse().with_contacts(1, first=50).build()
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    contact = page["contacts"][0]["id"]
    http.get(Requests.child(contact, "notes"), json=ChildResponse("notes").for_contact(contact, 3).build())
    state = {"notes": {"use_global_cursor": True, "lookback_window": 0,
                       "parent_state": {"contacts": {"dateUpdated": "2025-01-02T00:30:00.000000Z"}}}}
    out = run_read(config(lookback_window_minutes=0), ["notes"], incremental=True, state=state)
    assert len(out.records) == 3
    search = [r.json() for r in http.request_history if r.url == Requests.search][0]
    assert search["filters"][0]["value"]["gte"] == "2025-01-02T00:30:00.000Z"


def test_all_contacts_mode_sweeps_every_contact_from_the_beginning(http):
    page = SearchResponse().with_contacts(2).build()
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    for contact in page["contacts"]:
        http.get(Requests.child(contact["id"], "notes"), json=ChildResponse("notes").for_contact(contact["id"], 1).build())
    out = run_read(config(children_mode="all_contacts"), ["notes"])
    assert len(out.records) == 2
    search = [r.json() for r in http.request_history if r.url == Requests.search][0]
    assert search["filters"][0]["value"]["gte"] == "1970-01-01T00:00:00.000Z"
