"""The contacts stream's per-record CPU: one JSON parse per page, and no per-record slice hashing or date
parsing in the cursor (records come sorted ascending, so a page's last record carries its cursor)."""

import requests

from airbyte_cdk.sources.declarative.datetime.datetime_parser import DatetimeParser
from airbyte_cdk.utils.slice_hasher import SliceHasher
from ghl_http.errors import classify
from source_ghl_contacts.components.records import GHLRecordExtractor

from .builders import RATE_HEADERS, Requests, SearchResponse, config
from .harness import run_read


def test_the_extractor_reuses_the_parse_of_the_error_check():
    response = requests.Response()
    response.status_code = 200
    response.headers["content-type"] = "application/json"
    response._content = b'{"contacts": [{"id": "c1", "searchAfter": [1, "c1"]}], "total": 1}'
    classify(response)  # the error handler parses the body to check it is complete
    response._content = b'{"contacts": [], "total": 0, "parsed": "again"}'
    records = GHLRecordExtractor(config={}, parameters={}, field_name="contacts", search_results=True).extract_records(response)
    assert [r["id"] for r in records] == ["c1"]


def test_the_cursor_hashes_slices_and_parses_dates_per_page_not_per_record(http, monkeypatch):
    pages = [SearchResponse().with_contacts(100, first=1 + 100 * n).build() for n in range(3)]
    pages.append(SearchResponse().with_contacts(10, first=301).build())
    http.post(Requests.search, [{"json": page, "headers": RATE_HEADERS} for page in pages])
    calls = {"hash": 0, "parse": 0}
    real_hash, real_parse = SliceHasher.hash.__func__, DatetimeParser.parse

    def counting_hash(cls, *args, **kwargs):
        calls["hash"] += 1
        return real_hash(cls, *args, **kwargs)

    def counting_parse(self, *args, **kwargs):
        calls["parse"] += 1
        return real_parse(self, *args, **kwargs)

    monkeypatch.setattr(SliceHasher, "hash", classmethod(counting_hash))
    monkeypatch.setattr(DatetimeParser, "parse", counting_parse)
    out = run_read(config(page_size=100), ["contacts"], incremental=True)
    assert len(out.records) == 310
    cursors = [m.state.stream.stream_state.__dict__["dateUpdated"] for m in out.state_messages]
    assert [c[:19] for c in cursors[:3]] == ["2025-01-02T01:40:00", "2025-01-02T03:20:00", "2025-01-02T05:00:00"]
    assert {c[:19] for c in cursors[3:]} == {"2025-01-02T05:10:00"}
    assert calls["hash"] < 40, calls
    assert calls["parse"] < 40, calls
