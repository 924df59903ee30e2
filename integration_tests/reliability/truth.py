"""Compare what the source emitted with the sandbox's ground truth (`/_sandbox/dump`)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from ghl_sandbox.util import parse_time_ms

from .figures import FIGURES

# The contacts stream emits GHL's search shape; these fields mean the same in the search and the GET shape.
SHARED_CONTACT_FIELDS = (
    "id", "locationId", "firstName", "lastName", "email", "phone", "companyName", "businessId", "city", "state",
    "postalCode", "country", "website", "timezone", "source", "type", "dnd", "assignedTo", "tags", "customFields",
    "dateAdded", "dateUpdated",
)


def _as_ghl_holds_it(stream: str, name: str, value: Any) -> Any:
    """A value as GHL holds it: custom-field items without the `key`/`name` the source adds, appointment times
    as instants (GHL's zone-less UTC text and the source's ISO 8601 `Z` are the same instant; dateAdded and
    dateUpdated to the second)."""
    if name == "customFields" and isinstance(value, list):
        return [{k: v for k, v in item.items() if k not in ("key", "name")} for item in value]
    if stream == "appointments" and name in ("startTime", "endTime") and isinstance(value, str):
        return parse_time_ms(value)
    if stream == "appointments" and name in ("dateAdded", "dateUpdated") and isinstance(value, str):
        return parse_time_ms(value) // 1000  # the source emits these at whole seconds
    return value


def comparable(stream: str, record: Dict[str, Any], fields: Iterable[str] = ()) -> Any:
    """The fields GHL's own record has (children may carry extra context, e.g. their contact's date)."""
    names = SHARED_CONTACT_FIELDS if stream == "contacts" else sorted(fields)
    return tuple(repr(_as_ghl_holds_it(stream, name, record.get(name))) for name in names)


def latest(records: Iterable[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """What an append+dedup destination keeps: the last version of each id."""
    out: Dict[str, Dict[str, Any]] = {}
    for record in records:
        out[record["id"]] = record
    return out


def diff(stream: str, emitted: Iterable[Dict[str, Any]], truth: List[Dict[str, Any]]) -> Dict[str, List[str]]:
    """Ids missing from the output, ids the output has but GHL does not, ids whose content differs."""
    got, want = latest(emitted), {record["id"]: record for record in truth}
    return {
        "missing": sorted(want.keys() - got.keys()),
        "extra": sorted(got.keys() - want.keys()),
        "different": sorted(i for i in want.keys() & got.keys()
                            if comparable(stream, got[i], want[i]) != comparable(stream, want[i], want[i])),
    }


def assert_equals_truth(records: Dict[str, List[Dict[str, Any]]], truth: Dict[str, List[Dict[str, Any]]],
                        streams: Iterable[str] = ("contacts", "tasks", "notes", "appointments")) -> None:
    for stream in streams:
        problems = diff(stream, records.get(stream, []), truth[stream])
        assert not any(problems.values()), f"{stream}: {problems}"
        FIGURES.add("records_verified", len(truth[stream]))
