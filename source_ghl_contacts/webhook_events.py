"""What a `webhook_receiver` (ghl-webhooks, docs/webhooks.md) adds to a read of one location.

Polling cannot see deletions, and a task, note or appointment written without touching its contact's
`dateUpdated` is not read by the default `changed_contacts` mode. GHL's webhook events carry both. With a
receiver configured, each read of a location:

1. fetches the events stored after the cursor saved in state, up to the newest one at the start of the read;
2. runs the declarative read unchanged, passing the saved cursor on in every `contacts` STATE message;
3. then emits a deletion record per delete event, in its stream (`id`, `locationId`, `contactId` for
   children, `_ab_cdc_deleted_at`, and the stream's cursor field set to the deletion time, so an append+dedup
   destination ranks the deletion after the record it deletes: Airbyte's CDC convention);
4. reads again the children (only the stream the event concerns) of contacts that had a task, note or
   appointment event, unless the declarative read already read them (their contact changed too);
5. emits a final `contacts` STATE carrying the new cursor, and only then the held-back COMPLETE statuses.

The cursor moves only in that last STATE: a read that fails before it re-fetches the same events next time
(records are re-emitted, never skipped), one that gets past it never sees them again. The cursor lives in
the `contacts` stream's state (key `webhook_receiver_cursor`), so without the `contacts` stream selected the
receiver is not used. An unreachable receiver is logged and the read goes on without it (the cursor stays);
a refused token is a config error.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

import requests
from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    AirbyteStreamStatus,
    ConfiguredAirbyteCatalog,
    FailureType,
    StreamDescriptor,
    TraceType,
    Type,
)
from airbyte_cdk.utils.datetime_helpers import ab_datetime_now
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http.client import build_http_client, ghl_headers
from source_ghl_contacts.components.auth import shared_authenticator
from source_ghl_contacts.components.records import CONTACT_DATE_UPDATED
from source_ghl_contacts.components.times import AppointmentTimes

CURSOR_KEY = "webhook_receiver_cursor"
DELETED_AT = "_ab_cdc_deleted_at"
CONTACTS = "contacts"
CHILD_STREAMS = ("tasks", "notes", "appointments")
DELETE_EVENTS = {"ContactDelete": CONTACTS, "TaskDelete": "tasks", "NoteDelete": "notes",
                 "AppointmentDelete": "appointments"}
# Events after which a contact's children of that stream are read again (GHL has no TaskUpdate).
CHILD_EVENTS = {"TaskCreate": "tasks", "TaskComplete": "tasks", "NoteCreate": "notes", "NoteUpdate": "notes",
                "AppointmentCreate": "appointments", "AppointmentUpdate": "appointments"}
# stream -> (path under /contacts/{id}/, key of the records in GHL's answer)
CHILD_ROUTES = {"tasks": ("tasks", "tasks"), "notes": ("notes", "notes"), "appointments": ("appointments", "events")}
PAGE_LIMIT = 1000
MAX_EVENTS_PER_READ = 200_000  # the rest waits for the next sync (the cursor says where)
RECEIVER_TIMEOUT_SECONDS = 30


class ReceiverUnavailable(Exception):
    pass


def fetch_events(receiver: Mapping[str, Any], location_id: str, after: int) -> Tuple[List[dict], int]:
    """Every stored event of the location after `after`, in commit order, and the cursor of the last one."""
    base = str(receiver["url"]).rstrip("/")
    headers = {"Authorization": f"Bearer {receiver['token']}"}
    events: List[dict] = []
    cursor = after
    while len(events) < MAX_EVENTS_PER_READ:
        try:
            response = requests.get(f"{base}/events", params={"after": cursor, "location_id": location_id,
                                                              "limit": PAGE_LIMIT},
                                    headers=headers, timeout=RECEIVER_TIMEOUT_SECONDS)
        except requests.RequestException as error:
            raise ReceiverUnavailable(type(error).__name__) from None
        if response.status_code == 401:
            message = ("The webhook receiver refused webhook_receiver.token (HTTP 401). Set it to the token the "
                       "receiver was started with (--token-file or GHL_WEBHOOKS_TOKEN).")
            raise AirbyteTracedException(message=message, internal_message=message,
                                         failure_type=FailureType.config_error)
        if response.status_code != 200:
            raise ReceiverUnavailable(f"HTTP {response.status_code}")
        try:
            page = response.json()
            batch, cursor, more = page["events"], int(page["cursor"]), bool(page["has_more"])
        except (ValueError, KeyError, TypeError):
            raise ReceiverUnavailable("malformed answer") from None
        events += batch
        if not more:
            break
    return events, cursor


def _blob(message: AirbyteStateMessage) -> Dict[str, Any]:
    blob = message.stream.stream_state
    return dict(blob.__dict__ if isinstance(blob, AirbyteStateBlob) else (blob or {}))


def _is_contacts_state(message: AirbyteStateMessage) -> bool:
    return (message.type == AirbyteStateType.STREAM and message.stream is not None
            and message.stream.stream_descriptor.name == CONTACTS)


def split_state(state: Optional[List[AirbyteStateMessage]]) -> Tuple[Optional[List[AirbyteStateMessage]], int,
                                                                      Optional[Dict[str, Any]]]:
    """(the state without the receiver cursor, for the CDK; the cursor; the contacts state without it)."""
    if not state:
        return state, 0, None
    out, cursor, contacts = [], 0, None
    for message in state:
        if _is_contacts_state(message):
            blob = _blob(message)
            raw = blob.pop(CURSOR_KEY, 0)
            cursor = raw if isinstance(raw, int) and raw > 0 else 0
            contacts = blob
            message = _stream_state(CONTACTS, blob)
        out.append(message)
    return out, cursor, contacts


def cdk_state(state: Optional[List[AirbyteStateMessage]]) -> Optional[List[AirbyteStateMessage]]:
    """The state as the declarative streams know it: without the receiver cursor."""
    if not state or not any(_is_contacts_state(m) and CURSOR_KEY in _blob(m) for m in state):
        return state
    return split_state(state)[0]


def _stream_state(stream: str, blob: Mapping[str, Any]) -> AirbyteStateMessage:
    return AirbyteStateMessage(type=AirbyteStateType.STREAM,
                               stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=stream),
                                                         stream_state=AirbyteStateBlob(**blob)))


def _state_message(blob: Mapping[str, Any], cursor: int) -> AirbyteMessage:
    return AirbyteMessage(type=Type.STATE, state=_stream_state(CONTACTS, {**blob, CURSOR_KEY: cursor}))


def _record(stream: str, data: Dict[str, Any]) -> AirbyteMessage:
    return AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(
        stream=stream, data=data, emitted_at=int(ab_datetime_now().timestamp() * 1000)))


def _event_record(event: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = event.get("payload") or {}
    nested = payload.get("appointment")
    return nested if isinstance(nested, Mapping) else payload


def tombstone(event: Mapping[str, Any], location_id: str) -> Optional[Tuple[str, Dict[str, Any]]]:
    """(stream, deletion record) of a delete event; None for other events or one without an id."""
    stream = DELETE_EVENTS.get(str(event.get("type")))
    record = _event_record(event)
    if stream is None or not record.get("id"):
        return None
    deleted_at = str(event.get("timestamp") or (event.get("payload") or {}).get("timestamp") or "")
    data: Dict[str, Any] = {"id": str(record["id"]), "locationId": location_id, DELETED_AT: deleted_at}
    if stream == CONTACTS:
        data["dateUpdated"] = deleted_at
    else:
        if record.get("contactId"):
            data["contactId"] = str(record["contactId"])
        data[CONTACT_DATE_UPDATED] = deleted_at
    return stream, data


def child_rereads(events: Iterable[Mapping[str, Any]]) -> Dict[Tuple[str, str], str]:
    """{(stream, contactId): newest event time} for the children to read again; deleted contacts left out."""
    wanted: Dict[Tuple[str, str], str] = {}
    deleted: Set[str] = set()
    for event in events:
        typ = str(event.get("type"))
        record = _event_record(event)
        if typ == "ContactDelete" and record.get("id"):
            deleted.add(str(record["id"]))
        stream = CHILD_EVENTS.get(typ)
        contact_id = record.get("contactId")
        if stream and contact_id:
            key = (stream, str(contact_id))
            wanted[key] = max(wanted.get(key, ""), str(event.get("timestamp") or ""))
    return {key: ts for key, ts in wanted.items() if key[1] not in deleted}


class ChildReader:
    """GET /contacts/{id}/{tasks|notes|appointments} with the read's own authenticator and GHL's error
    handling, shaped as the manifest's child streams shape them."""

    def __init__(self, config: Mapping[str, Any], logger: logging.Logger):
        self.config = config
        self.client = build_http_client(config, name="webhook_children", logger=logger,
                                        passthrough_statuses=frozenset({400, 404}),
                                        authenticator=shared_authenticator(config))
        self.times = AppointmentTimes(config=config, parameters={})

    def read(self, stream: str, contact_id: str, event_time: str) -> List[Dict[str, Any]]:
        path, key = CHILD_ROUTES[stream]
        url = f"{self.config['api_base_url']}/contacts/{contact_id}/{path}"
        _, response = self.client.send_request("GET", url, request_kwargs={}, headers=ghl_headers())
        if response.status_code != 200:  # the contact is gone since the event: its delete event says so
            return []
        records = [r for r in (response.json().get(key) or []) if isinstance(r, dict) and r.get("id")]
        for record in records:
            record.setdefault("contactId", contact_id)
            # The child streams' cursor; for a child read because of an event, the time of that event.
            record[CONTACT_DATE_UPDATED] = event_time
            if stream == "appointments":
                self.times.transform(record)
            else:
                record["locationId"] = self.config["location_id"]
        return records


def _is_complete_status(message: AirbyteMessage, streams: Set[str]) -> bool:
    trace = message.trace if message.type == Type.TRACE else None
    status = trace.stream_status if trace is not None and trace.type == TraceType.STREAM_STATUS else None
    return (status is not None and status.status == AirbyteStreamStatus.COMPLETE
            and status.stream_descriptor.name in streams)


class WebhookRead:
    """One location's read with the receiver's events (see the module doc)."""

    def __init__(self, config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
                 state: Optional[List[AirbyteStateMessage]], logger: logging.Logger,
                 child_reader: Optional[Callable[[], ChildReader]] = None):
        self.config = config
        self.logger = logger
        self.receiver = config.get("webhook_receiver")
        self.streams = {configured.stream.name for configured in catalog.streams}
        self.enabled = bool(self.receiver) and CONTACTS in self.streams
        self.state, self.cursor, self.contacts_state = split_state(state) if self.enabled else (state, 0, None)
        self._child_reader = child_reader or (lambda: ChildReader(config, logger))

    def wrap(self, messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
        if not self.enabled:
            if self.receiver:
                self.logger.info("webhook_receiver is set but the contacts stream is not selected: it keeps the "
                                 "receiver's cursor, so the receiver is not used.")
            yield from messages
            return
        location_id = str(self.config["location_id"])
        try:
            events, new_cursor = fetch_events(self.receiver, location_id, self.cursor)
        except ReceiverUnavailable as error:
            self.logger.warning(f"The webhook receiver is unreachable ({error}): this sync sees no deletions; "
                                f"its events wait for the next sync.")
            events, new_cursor = [], self.cursor
        last_contacts = self.contacts_state or {}
        read_contacts: Set[str] = set()
        held: List[AirbyteMessage] = []
        children_by_cdk = self.config.get("children_mode") == "all_contacts"
        for message in messages:
            if message.type == Type.STATE and message.state is not None and _is_contacts_state(message.state):
                last_contacts = _blob(message.state)
                yield _state_message(last_contacts, self.cursor)
            elif message.type == Type.RECORD and message.record.stream == CONTACTS:
                read_contacts.add(str(message.record.data.get("id")))
                yield message
            elif _is_complete_status(message, {CONTACTS, *CHILD_STREAMS}):
                held.append(message)
            else:
                yield message
        yield from self._event_records(events, location_id, read_contacts, children_by_cdk)
        yield _state_message(last_contacts, new_cursor)
        yield from held

    def _event_records(self, events: List[dict], location_id: str, read_contacts: Set[str],
                       children_by_cdk: bool) -> Iterator[AirbyteMessage]:
        deletions = 0
        for event in events:
            found = tombstone(event, location_id)
            if found and found[0] in self.streams:
                deletions += 1
                yield _record(*found)
        rereads = {} if children_by_cdk else {
            key: ts for key, ts in child_rereads(events).items() if key[0] in self.streams and key[1] not in read_contacts}
        reader = self._child_reader() if rereads else None
        for (stream, contact_id), event_time in sorted(rereads.items()):
            for record in reader.read(stream, contact_id, event_time):
                yield _record(stream, record)
        self.logger.info(f"Webhook receiver: {len(events)} events, {deletions} deletion records, "
                         f"{len(rereads)} child lists read again.")


def with_webhook_events(config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
                        state: Optional[List[AirbyteStateMessage]], logger: logging.Logger,
                        read: Callable[[Optional[List[AirbyteStateMessage]]], Iterable[AirbyteMessage]]
                        ) -> Iterator[AirbyteMessage]:
    """`read(state)` (the declarative read) with the receiver's events; today's read without a receiver."""
    webhook_read = WebhookRead(config, catalog, copy.deepcopy(state) if state else state, logger)
    yield from webhook_read.wrap(read(webhook_read.state))
