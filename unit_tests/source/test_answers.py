"""GHL's list answers are checked before their records are trusted; a record without `id` is skipped, loudly."""

import pytest
import requests
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_ghl_contacts.components.answers import records_at

from .builders import RATE_HEADERS, Requests, SearchResponse, config
from .harness import run_read


def _answer(body: bytes, status: int = 200, content_type: str = "application/json") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers["content-type"] = content_type
    response._content = body
    response.request = requests.Request("GET", Requests.child("c1", "notes") + "?x=1").prepare()
    return response


@pytest.mark.parametrize("body, content_type, problem", [
    (b"<html>down</html>", "text/html", "not JSON, content-type text/html"),
    (b"", "application/json", "the body is empty, not an object"),
    (b'["a"]', "application/json", "the body is a list, not an object"),
    (b'{"traceId": "t"}', "application/json", "no 'notes' list"),
    (b'{"notes": {"id": "n1"}}', "application/json", "'notes' is an object, not a list"),
    (b'{"notes": [{"id": "n1"}, 5]}', "application/json", "item 1 of 'notes' is a number, not an object"),
])
def test_a_malformed_answer_is_an_error_naming_the_request_and_the_problem(body, content_type, problem):
    with pytest.raises(AirbyteTracedException) as raised:
        records_at(_answer(body, content_type=content_type), "notes")
    assert raised.value.message.startswith(f"GHL's answer to GET /contacts/c1/notes is malformed (HTTP 200: {problem})")


def test_a_well_formed_answer_gives_its_records():
    assert records_at(_answer(b'{"notes": [{"id": "n1"}], "total": 1}'), "notes") == [{"id": "n1"}]


def test_an_answer_the_error_handler_ignored_has_no_records():
    # e.g. a 400 "Contact with id X not found" for a contact deleted during the sync
    assert records_at(_answer(b'{"error": "Contact with id c1 not found"}', status=400), "notes") == []


def test_a_contact_without_id_is_skipped_with_a_warning_and_its_full_page_is_still_followed(http):
    first = SearchResponse().with_contacts(2, first=1).build()
    del first["contacts"][1]["id"]
    pages = [first, SearchResponse().with_contacts(1, first=3).build()]
    http.post(Requests.search, [{"json": page, "headers": RATE_HEADERS} for page in pages])
    out = run_read(config(page_size=2), ["contacts"])
    assert [m.record.data["id"] for m in out.records] == ["c0000000000000000001", "c0000000000000000003"]
    warnings = [m.log.message for m in out.logs if m.log.level.name == "WARN"]
    assert any("without 'id' (item 1 of 'contacts'" in text for text in warnings), warnings
