"""Location-wide reads of `tasks` and `appointments` on full and first syncs: a few requests per location instead
of one per contact, emitting exactly the records the per-contact reads emit.

Per-contact, each child stream pages the contacts search and asks `GET /contacts/{id}/tasks|appointments` once
per contact. Location-wide, a stream pages the same contacts search (the contacts it covers and their
`dateUpdated`, the records' `contactDateUpdated`) right after its first scoped request (the first task page,
the calendar list: a token without the scope falls back before any contacts search), and

- `tasks`: pages `POST /locations/{locationId}/tasks/search` (scope `locations/tasks.readonly`);
- `appointments`: lists the calendars (`GET /calendars/?locationId=`, scope `calendars.readonly`) and reads each
  one's events over one window covering every start time (`GET /calendars/events`, scope
  `calendars/events.readonly`).

Records are what the per-contact route gives, field for field: a task search item becomes GHL's `TaskSchema`
(`_id` -> `id`, without the search's extra fields, deleted tasks left out), a `CalendarEventDTO` becomes the
per-contact `GetEventSchema` (without `description`, `isRecurring`, …); then the same transformations as the
manifest's (`contactDateUpdated`, `locationId` on tasks, appointment times as UTC instants). A child whose
contact is not among the contacts the stream read (created after that read, or outside `start_date` /
`business_id`) is left out, as the per-contact read would never ask for it.

Consistency under writes during the sync (docs/source-ghl-contacts.md, "Location-wide reads"):

- The task search pages with `skip`/`limit` in an order GHL does not document. Pages overlap by one task (the
  anchor): finding the anchor in the next page proves no task before it slipped out of view; when it is not
  there (tasks removed ahead of it, or more inserted than a page), paging starts again from the top, skipping
  tasks already emitted. A task seen twice is emitted once. The listing ends with a page that has nothing after
  the anchor (a short page is not trusted as the end: GHL may cap `limit` lower than asked).
- Events are listed per calendar, so an appointment moved between calendars during the read could be missed
  in one pass: the calendars are read again until a pass finds no appointment the previous ones had not
  (at least two passes, at most `MAX_CALENDAR_PASSES`); an appointment is emitted once, as last seen.
"""

import itertools
import logging
import math
import time
from functools import partial
from typing import Any, Callable, Dict, Iterator, List, Mapping, MutableMapping, Optional, Sequence, Set, Tuple

from airbyte_cdk.models import (AirbyteLogMessage, AirbyteMessage, AirbyteRecordMessage, AirbyteStateBlob,
                                AirbyteStateMessage, AirbyteStateStats, AirbyteStateType, AirbyteStreamState,
                                AirbyteStreamStatus, ConfiguredAirbyteCatalog, Level, StreamDescriptor, SyncMode,
                                Type)
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.utils.stream_status_utils import as_airbyte_message
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http.client import build_http_client, ghl_headers
from ghl_http.constants import SCOPE_CALENDARS_READ, SCOPE_TASKS_SEARCH
from source_ghl_contacts.components.auth import shared_authenticator
from source_ghl_contacts.components.progress import PROGRESS
from source_ghl_contacts.components.records import CONTACT_DATE_UPDATED
from source_ghl_contacts.components.times import AppointmentTimes

TASKS = "tasks"
APPOINTMENTS = "appointments"
SCOPE_EVENTS_READ = "calendars/events.readonly"
ALL_CONTACTS = "all_contacts"

# GHL's TaskSchema and GetEventSchema: the fields the per-contact routes answer with, in their order.
TASK_FIELDS = ("id", "title", "body", "assignedTo", "dueDate", "completed", "contactId")
APPOINTMENT_FIELDS = ("id", "calendarId", "locationId", "contactId", "groupId", "title", "status",
                      "appointmentStatus", "assignedUserId", "users", "notes", "address", "startTime", "endTime",
                      "dateAdded", "dateUpdated", "assignedResources")

MAX_TASK_RESTARTS = 3
# One window over every start time GHL can hold (epoch ms, 1970 to the end of year 9999): the per-contact route
# lists past and future appointments alike, and a single window cannot lose an event rescheduled mid-read.
EVENTS_WINDOW = ("0", "253402300799999")
MAX_CALENDAR_PASSES = 3
CURSOR_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
EPOCH_CURSOR = "1970-01-01T00:00:00.000000Z"

LOGGER = logging.getLogger("airbyte")


class MissingScope(Exception):
    """The token lacks `scope` (GHL answered 401/403): the stream is read per contact instead."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


def no_scope_line(stream: str, scope: str) -> str:
    return (f"{stream} are read per contact (one request per contact): the token lacks the '{scope}' scope, "
            f"which lets full syncs read them location-wide in a few requests.")


def _stream_state(configured_state: Optional[List[AirbyteStateMessage]], stream: str) -> Optional[Mapping[str, Any]]:
    for message in configured_state or []:
        descriptor = getattr(getattr(message, "stream", None), "stream_descriptor", None)
        if descriptor is not None and descriptor.name == stream:
            blob = message.stream.stream_state
            state = blob.__dict__ if isinstance(blob, AirbyteStateBlob) else blob
            return state or None
    return None


def location_wide_streams(config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
                          state: Optional[List[AirbyteStateMessage]]) -> List[str]:
    """The selected child streams this sync reads whole: every sync in `all_contacts` mode, a full-refresh
    selection, or the first sync of an incremental one (no state yet). Incremental syncs with state keep
    reading the children of changed contacts only."""
    full = config.get("children_mode") == ALL_CONTACTS
    chosen = []
    for configured in catalog.streams:
        name = configured.stream.name
        if name not in (TASKS, APPOINTMENTS):
            continue
        if full or configured.sync_mode == SyncMode.full_refresh or _stream_state(state, name) is None:
            chosen.append(name)
    return chosen


def _cursor_text(value: str) -> str:
    """A GHL ISO time as the CDK writes the child cursor (`%Y-%m-%dT%H:%M:%S.%fZ`, six fraction digits)."""
    head, _, rest = value.rstrip("Z").partition(".")
    digits = "".join(ch for ch in rest if ch.isdigit())
    return f"{head[:19]}.{digits[:6].ljust(6, '0')}Z"


class LocationReader:
    """GHL requests of the location-wide reads, through the read's budget and authenticator."""

    def __init__(self, config: Mapping[str, Any], logger: logging.Logger, budget: Optional[APIBudget]) -> None:
        self._config = config
        self._base = str(config["api_base_url"]).rstrip("/")
        self._location = str(config["location_id"])
        # Tasks per search request: the source's `page_size` (the spec's default is 25 and it states no maximum).
        self._task_page = int(config.get("page_size", 500))
        self._client = build_http_client(config, name="location_wide", logger=logger, api_budget=budget,
                                         passthrough_statuses=frozenset({401, 403}),
                                         authenticator=shared_authenticator(config))

    def _send(self, stream: str, scope: str, method: str, path: str, key: str, *, params: Optional[Dict[str, str]] = None,
              body: Optional[Dict[str, Any]] = None, calendars: bool = False) -> Tuple[List[MutableMapping[str, Any]], Mapping[str, Any]]:
        _, response = self._client.send_request(method, self._base + path, request_kwargs={},
                                                headers=ghl_headers(calendars=calendars), params=params, json=body)
        if response.status_code in (401, 403):
            raise MissingScope(scope)
        PROGRESS.count(PROGRESS.pages, stream)
        try:
            answer = response.json()
            items = answer[key]
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise TypeError
        except Exception:
            message = f"GHL's answer to {method} {path.replace(self._location, '{locationId}')} is malformed (HTTP {response.status_code}: no '{key}' list of objects)."
            raise AirbyteTracedException(message=message, internal_message=message) from None
        return items, answer

    def contacts(self, stream: str) -> Dict[str, Any]:
        """id -> `dateUpdated` of the contacts the per-contact read would cover: the contacts stream's search
        (from `start_date`, `business_id`), ascending on `dateUpdated`, `searchAfter` paging."""
        start = self._config.get("start_date") or "1970-01-01T00:00:00Z"
        filters: List[Dict[str, Any]] = [{"field": "dateUpdated", "operator": "range",
                                          "value": {"gte": start.replace("Z", "")[:19] + ".000Z"}}]
        if self._config.get("business_id"):
            filters.append({"field": "businessId", "operator": "eq", "value": self._config["business_id"]})
        page_size = int(self._config.get("page_size", 500))
        body: Dict[str, Any] = {"locationId": self._location, "pageLimit": page_size, "filters": filters,
                                "sort": [{"field": "dateUpdated", "direction": "asc"}]}
        found: Dict[str, Any] = {}
        while True:
            page, answer = self._send(stream, "contacts.readonly", "POST", "/contacts/search", "contacts", body=body)
            PROGRESS.note_search_total(answer.get("total"), self._location)
            for contact in page:
                if contact.get("id"):
                    found[contact["id"]] = contact.get("dateUpdated")
            if len(page) < page_size or not page[-1].get("searchAfter"):
                return found
            body["searchAfter"] = page[-1]["searchAfter"]

    def task_items(self) -> Iterator[MutableMapping[str, Any]]:
        """Every task of the location once (deleted ones included; the caller drops them), paged with a
        one-task overlap that proves no task slipped out of view between two pages."""
        seen: Set[str] = set()
        restarts = 0
        skip, anchor = 0, None
        path = f"/locations/{self._location}/tasks/search"
        while True:
            page, _ = self._send(TASKS, SCOPE_TASKS_SEARCH, "POST", path, "tasks", body={"limit": self._task_page, "skip": skip})
            ids = [str(item.get("_id") or item.get("id") or "") for item in page]
            start = 0
            if anchor is not None:
                if anchor not in ids:
                    restarts += 1
                    if restarts > MAX_TASK_RESTARTS:
                        message = ("GHL's task list kept changing order while it was paged (tasks removed or added "
                                   "ahead of the page); retry the sync.")
                        raise AirbyteTracedException(message=message, internal_message=message)
                    LOGGER.info("tasks: GHL's task list shifted while it was paged; paging again from the top "
                                "(tasks already emitted are not emitted again).")
                    skip, anchor = 0, None
                    continue
                start = ids.index(anchor) + 1
            if start >= len(page):
                return
            for task_id, item in zip(ids[start:], page[start:]):
                if task_id and task_id not in seen:
                    seen.add(task_id)
                    yield item
            anchor = ids[-1]
            skip += len(page) - 1

    def calendar_ids(self) -> List[str]:
        calendars, _ = self._send(APPOINTMENTS, SCOPE_CALENDARS_READ, "GET", "/calendars/", "calendars",
                                  params={"locationId": self._location}, calendars=True)
        return [str(calendar["id"]) for calendar in calendars if calendar.get("id")]

    def events(self, calendar_ids: Sequence[str]) -> Dict[str, MutableMapping[str, Any]]:
        """Every event of these calendars by id, as last seen, over passes until one finds nothing new."""
        found: Dict[str, MutableMapping[str, Any]] = {}
        for number in range(MAX_CALENDAR_PASSES):
            new = 0
            for calendar_id in calendar_ids:
                params = {"locationId": self._location, "calendarId": calendar_id,
                          "startTime": EVENTS_WINDOW[0], "endTime": EVENTS_WINDOW[1]}
                events, _ = self._send(APPOINTMENTS, SCOPE_EVENTS_READ, "GET", "/calendars/events", "events",
                                       params=params, calendars=True)
                for event in events:
                    if event.get("id"):
                        new += event["id"] not in found
                        found[event["id"]] = event
            if number >= 1 and new == 0:
                break
        return found


def task_record(item: Mapping[str, Any], contact_date_updated: Any, location_id: str) -> Dict[str, Any]:
    """A task search item as `GET /contacts/{id}/tasks` gives it, with the manifest's child fields."""
    record: Dict[str, Any] = {"id": item.get("_id") or item.get("id")}
    for name in TASK_FIELDS[1:]:
        if name in item:
            record[name] = item[name]
    record[CONTACT_DATE_UPDATED] = contact_date_updated
    record["locationId"] = location_id
    return record


_APPOINTMENT_TIMES = AppointmentTimes(config={}, parameters={})


def appointment_record(event: Mapping[str, Any], contact_date_updated: Any) -> Dict[str, Any]:
    """A `CalendarEventDTO` as `GET /contacts/{id}/appointments` gives it, with the manifest's transformations."""
    record = {name: event[name] for name in APPOINTMENT_FIELDS if name in event}
    record[CONTACT_DATE_UPDATED] = contact_date_updated
    _APPOINTMENT_TIMES.transform(record)
    return record


def _record(stream: str, data: Dict[str, Any]) -> AirbyteMessage:
    return AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream=stream, data=data,
                                                                        emitted_at=int(time.time() * 1000)))


def _state(stream: str, state: Mapping[str, Any], records: int) -> AirbyteMessage:
    blob = AirbyteStateBlob(**state)
    message = AirbyteStateMessage(type=AirbyteStateType.STREAM,
                                  stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=stream), stream_state=blob),
                                  sourceStats=AirbyteStateStats(recordCount=float(records)))
    return AirbyteMessage(type=Type.STATE, state=message)


def _status(stream: str, status: AirbyteStreamStatus) -> AirbyteMessage:
    return as_airbyte_message(StreamDescriptor(name=stream), status)


def _log(text: str) -> AirbyteMessage:
    return AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=Level.INFO, message=text))


class LocationWideRead:
    """The location-wide part of one location's read. `producers()` read the streams it can, one producer per
    stream; once they are done `per_contact` names those that fall back to the declarative per-contact read (a
    missing scope, `fallback_catalog`), and `raise_failures()` ends the read the way the CDK ends it when a
    stream failed."""

    def __init__(self, config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
                 state: Optional[List[AirbyteStateMessage]], logger: logging.Logger, budget: Optional[APIBudget]) -> None:
        self._config = config
        self._logger = logger
        self._budget = budget
        self.streams = location_wide_streams(config, catalog, state)
        self.per_contact: List[str] = []
        self._failed: List[Tuple[str, AirbyteTracedException]] = []

    def declarative_catalog(self, catalog: ConfiguredAirbyteCatalog) -> ConfiguredAirbyteCatalog:
        """The streams the declarative read reads from the start: all but the location-wide ones."""
        return ConfiguredAirbyteCatalog(streams=[s for s in catalog.streams if s.stream.name not in self.streams])

    def fallback_catalog(self, catalog: ConfiguredAirbyteCatalog) -> ConfiguredAirbyteCatalog:
        """Once the producers are done: the location-wide streams to read per contact after all (a scope
        the token lacks)."""
        return ConfiguredAirbyteCatalog(streams=[s for s in catalog.streams if s.stream.name in self.per_contact])

    def producers(self) -> List[Tuple[str, Callable[[], Iterator[AirbyteMessage]]]]:
        """One producer of messages per location-wide stream, each with its own requests, so that the streams
        can be read at once (and beside the declarative streams)."""
        readers: Dict[str, Callable[[LocationReader, Dict[str, Any]], Iterator[Dict[str, Any]]]] = {
            TASKS: self._tasks, APPOINTMENTS: self._appointments}
        return [(stream, partial(self._stream, stream, readers[stream])) for stream in self.streams]

    def _stream(self, stream: str,
                records: Callable[[LocationReader, Dict[str, Any]], Iterator[Dict[str, Any]]]) -> Iterator[AirbyteMessage]:
        started = time.monotonic()
        PROGRESS.location_wide.add(stream)
        reader = LocationReader(self._config, self._logger, self._budget)
        contacts: Dict[str, Any] = {}  # the contacts this stream read: id -> dateUpdated
        count = 0
        cursor: Optional[str] = None
        announced = False
        try:
            for data in records(reader, contacts):
                if not announced:
                    announced = True
                    yield _status(stream, AirbyteStreamStatus.STARTED)
                    yield _status(stream, AirbyteStreamStatus.RUNNING)
                count += 1
                PROGRESS.count(PROGRESS.extracted, stream)
                value = data.get(CONTACT_DATE_UPDATED)
                if isinstance(value, str) and (cursor is None or _cursor_text(value) > cursor):
                    cursor = _cursor_text(value)
                yield _record(stream, data)
        except MissingScope as missing:
            if announced:  # cannot happen (scopes fail on a stream's first request), but never emit twice
                raise
            self.per_contact.append(stream)
            PROGRESS.location_wide.discard(stream)
            yield _log(no_scope_line(stream, missing.scope))
            return
        except AirbyteTracedException as error:
            self._failed.append((stream, error))
            if not announced:
                yield _status(stream, AirbyteStreamStatus.STARTED)
            yield error.as_airbyte_message(stream_descriptor=StreamDescriptor(name=stream))
            yield _status(stream, AirbyteStreamStatus.INCOMPLETE)
            return
        if not announced:
            yield _status(stream, AirbyteStreamStatus.STARTED)
        yield _state(stream, self._final_state(cursor, started, contacts), count)
        yield _status(stream, AirbyteStreamStatus.COMPLETE)

    def _final_state(self, cursor: Optional[str], started: float, contacts: Mapping[str, Any]) -> Dict[str, Any]:
        """The state the CDK's declarative stream saves after the same read, so the next (incremental) sync
        goes on from it: the contacts read become its `parent_state`."""
        if self._config.get("children_mode") == ALL_CONTACTS:
            return {"__ab_no_cursor_state_message": True}
        dates = [_cursor_text(v) for v in contacts.values() if isinstance(v, str)]
        start = self._config.get("start_date")
        parent = max(dates + [_cursor_text(start) if start else EPOCH_CURSOR])
        state: Dict[str, Any] = {"use_global_cursor": True}
        if cursor is not None:
            state["state"] = {CONTACT_DATE_UPDATED: cursor}
        state["lookback_window"] = math.ceil(time.monotonic() - started)
        state["parent_state"] = {"contacts": {"dateUpdated": parent}}
        return state

    def _tasks(self, reader: LocationReader, contacts: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        items = reader.task_items()
        first = next(items, None)  # first: a missing scope costs no contacts search
        contacts.update(reader.contacts(TASKS))
        location = str(self._config["location_id"])
        for item in itertools.chain([first] if first is not None else [], items):
            contact_id = item.get("contactId")
            if item.get("deleted") or contact_id not in contacts:
                continue
            yield task_record(item, contacts[contact_id], location)

    def _appointments(self, reader: LocationReader, contacts: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        calendars = reader.calendar_ids()  # first: a missing scope costs no contacts search
        contacts.update(reader.contacts(APPOINTMENTS))
        for event in reader.events(calendars).values():
            contact_id = event.get("contactId")
            if contact_id in contacts:
                yield appointment_record(event, contacts[contact_id])

    def raise_failures(self, declarative: Optional[AirbyteTracedException] = None) -> None:
        """End the read as the CDK ends it when streams failed: one error naming them all (`declarative`: the
        error the CDK's read of the other streams ended with, which names its own)."""
        if not self._failed:
            if declarative is not None:
                raise declarative
            return
        names = ", ".join(stream for stream, _ in self._failed)
        first = self._failed[0][1]
        message = f"The following streams did not sync successfully: {names}. {first.message}"
        if declarative is not None:
            message = f"{declarative.message} {message}"
        failure_type = declarative.failure_type if declarative is not None else first.failure_type
        raise AirbyteTracedException(message=message, internal_message=message, failure_type=failure_type)
