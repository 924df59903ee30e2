"""contacts: POST /contacts/search, ascending on dateUpdated, searchAfter paging, state after every page."""

from schemas import GHL, load_schema

from .builders import RATE_HEADERS, Requests, SearchResponse, config, error
from .harness import run_read


def _search(http, *pages, status=200):
    http.post(Requests.search, [{"json": page, "status_code": status, "headers": RATE_HEADERS} for page in pages])


def _bodies(http):
    return [request.json() for request in http.request_history if request.url == Requests.search]


def test_one_page_emits_the_search_records_without_their_paging_field(http):
    _search(http, SearchResponse().with_contacts(3).build())
    out = run_read(config(), ["contacts"])
    records = [message.record.data for message in out.records]
    assert [r["id"] for r in records] == ["c0000000000000000001", "c0000000000000000002", "c0000000000000000003"]
    assert all("searchAfter" not in r for r in records)
    body = _bodies(http)[0]
    assert body["locationId"] == "loc0000000000000001"
    assert body["pageLimit"] == 500
    assert body["sort"] == [{"field": "dateUpdated", "direction": "asc"}]
    assert body["filters"] == [{"field": "dateUpdated", "operator": "range", "value": {"gte": "1970-01-01T00:00:00.000Z"}}]
    assert "searchAfter" not in body and "page" not in body


def test_full_pages_are_followed_with_search_after_and_each_page_is_checkpointed(http):
    pages = [SearchResponse().with_contacts(2, first=1).build(), SearchResponse().with_contacts(2, first=3).build(),
             SearchResponse().with_contacts(1, first=5).build()]
    _search(http, *pages)
    out = run_read(config(page_size=2), ["contacts"], incremental=True)
    assert len(out.records) == 5
    bodies = _bodies(http)
    assert [b.get("searchAfter") for b in bodies] == [None, pages[0]["contacts"][-1]["searchAfter"], pages[1]["contacts"][-1]["searchAfter"]]
    cursors = [m.state.stream.stream_state.__dict__["dateUpdated"] for m in out.state_messages]
    assert cursors[0].startswith("2025-01-02T00:02:00") and cursors[1].startswith("2025-01-02T00:04:00")
    assert cursors[-1].startswith("2025-01-02T00:05:00")


def test_incremental_reads_from_the_state_minus_the_lookback_window(http):
    _search(http, SearchResponse().with_contacts(1, first=90).build())
    run_read(config(lookback_window_minutes=15), ["contacts"], incremental=True,
             state={"contacts": {"dateUpdated": "2025-06-01T12:00:00.000000Z"}})
    assert _bodies(http)[0]["filters"][0]["value"] == {"gte": "2025-06-01T11:45:00.000Z"}


def test_start_date_and_business_id_narrow_the_search(http):
    _search(http, SearchResponse().with_contacts(1).build())
    run_read(config(start_date="2024-05-01T00:00:00Z", business_id="64f0c0ffee0000000000abcd"), ["contacts"])
    assert _bodies(http)[0]["filters"] == [
        {"field": "dateUpdated", "operator": "range", "value": {"gte": "2024-05-01T00:00:00.000Z"}},
        {"field": "businessId", "operator": "eq", "value": "64f0c0ffee0000000000abcd"},
    ]


def test_a_429_waits_out_the_window_and_retries(http):
    http.post(Requests.search, [
        {"json": error("rate_limited"), "status_code": 429, "headers": RATE_HEADERS},
        {"json": SearchResponse().with_contacts(2).build(), "status_code": 200, "headers": RATE_HEADERS},
    ])
    out = run_read(config(), ["contacts"])
    assert len(out.records) == 2
    assert any("rate-limit waits (429)" in log.log.message and "1 rate-limit" in log.log.message for log in out.logs)


def test_an_invalid_token_is_a_config_error_that_says_how_to_fix_it(http):
    _search(http, error("invalid_token"), status=401)
    out = run_read(config(), ["contacts"], expecting_exception=True)
    error_trace = out.errors[0].trace.error
    assert error_trace.failure_type.value == "config_error"
    assert "Private Integrations" in error_trace.message
    assert "pit-unit-test-token-0001" not in str([m.json() if hasattr(m, "json") else str(m) for m in out._messages])


def test_date_of_birth_is_emitted_as_an_iso_date_and_typed_as_one(http):
    page = SearchResponse().with_contacts(4).build()
    page["contacts"][0]["dateOfBirth"] = 479606400000  # 1985-03-14T00:00:00Z
    page["contacts"][1]["dateOfBirth"] = -315619200000  # 1960-01-01T00:00:00Z
    page["contacts"][2].pop("dateOfBirth")
    page["contacts"][3]["dateOfBirth"] = None
    _search(http, page)
    out = run_read(config(), ["contacts"])
    records = [message.record.data for message in out.records]
    assert records[0]["dateOfBirth"] == "1985-03-14"
    assert records[1]["dateOfBirth"] == "1960-01-01"
    assert "dateOfBirth" not in records[2]
    assert records[3].get("dateOfBirth") is None
    schema = load_schema(GHL, "contacts")["properties"]["dateOfBirth"]
    assert schema["type"] == ["null", "string"] and schema["format"] == "date"
