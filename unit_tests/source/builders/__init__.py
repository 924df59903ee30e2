"""Request and response builders per GHL endpoint, from the JSON templates in `resource/http/response/`.

A test states only what differs from the template: `SearchResponse().with_contacts(3).build()`.
"""

import copy
import json
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

BASE_URL = "https://services.leadconnectorhq.com"
LOCATION_ID = "loc0000000000000001"
TOKEN = "pit-unit-test-token-0001"
RESPONSES = Path(__file__).resolve().parents[1] / "resource" / "http" / "response"
RATE_HEADERS = {"x-ratelimit-remaining": "99", "x-ratelimit-max": "100", "x-ratelimit-interval-milliseconds": "10"}


@lru_cache(maxsize=None)
def _template(name: str) -> str:
    return (RESPONSES / f"{name}.json").read_text()


def template(name: str) -> Dict[str, Any]:
    return json.loads(_template(name))


def config(**overrides: Any) -> Dict[str, Any]:
    base = {
        "credentials": {"auth_type": "private_integration_token", "token": TOKEN},
        "location_id": LOCATION_ID,
        "api_base_url": BASE_URL,
    }
    base.update(overrides)
    return base


class Requests:
    """URLs of the endpoints the source calls."""

    search = f"{BASE_URL}/contacts/search"
    custom_fields = f"{BASE_URL}/locations/{LOCATION_ID}/customFields?model=contact"
    tasks_search = f"{BASE_URL}/locations/{LOCATION_ID}/tasks/search"
    calendars = f"{BASE_URL}/calendars/?locationId={LOCATION_ID}"
    events = f"{BASE_URL}/calendars/events"

    @staticmethod
    def child(contact_id: str, stream: str) -> str:
        return f"{BASE_URL}/contacts/{contact_id}/{stream}"


class SearchResponse:
    """A `POST /contacts/search` page: contacts sorted ascending on `dateUpdated`, each with `searchAfter`."""

    def __init__(self) -> None:
        self._body = template("contacts_search")
        self._record = self._body["contacts"][0]

    def with_contacts(self, count: int, first: int = 1, updated_from: str = "2025-01-02T00:00:00.000Z") -> "SearchResponse":
        start = datetime.strptime(updated_from, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        records: List[Dict[str, Any]] = []
        for number in range(first, first + count):
            record = copy.deepcopy(self._record)
            record["id"] = f"c{number:019d}"
            updated = start + timedelta(minutes=number)
            record["dateUpdated"] = updated.strftime("%Y-%m-%dT%H:%M:%S.") + f"{updated.microsecond // 1000:03d}Z"
            record["searchAfter"] = [int(updated.timestamp() * 1000), record["id"]]
            records.append(record)
        self._body["contacts"] = records
        self._body["total"] = count
        return self

    def build(self) -> Dict[str, Any]:
        return self._body


class ChildResponse:
    """A `GET /contacts/{id}/tasks|notes|appointments` answer (no paging)."""

    KEYS = {"tasks": "tasks", "notes": "notes", "appointments": "events"}

    def __init__(self, stream: str) -> None:
        self._stream = stream
        self._body = template(stream)

    def for_contact(self, contact_id: str, count: int = 1, without_contact_id: bool = False) -> "ChildResponse":
        key = self.KEYS[self._stream]
        prototype = self._body[key][0]
        records = []
        for number in range(count):
            record = copy.deepcopy(prototype)
            record["id"] = f"{self._stream[0]}{contact_id[-6:]}{number:04d}"
            if without_contact_id:
                record.pop("contactId", None)
            else:
                record["contactId"] = contact_id
            records.append(record)
        self._body[key] = records
        return self

    def build(self) -> Dict[str, Any]:
        return self._body


def error(kind: str, contact_id: Optional[str] = None) -> Dict[str, Any]:
    body = template("errors")[kind]
    if contact_id:
        body = json.loads(json.dumps(body).replace("{contact_id}", contact_id))
    return body
