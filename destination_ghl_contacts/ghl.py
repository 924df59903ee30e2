"""The destination's GHL calls, through the CDK `HttpClient`s that ghl_http builds.

Two clients share one budget and one authenticator: `safe` retries what is safe to repeat (reads, PUT,
DELETE, tag adds); `once` sends creates and hands back an answer that was lost (timeout, dropped connection,
5xx, cut-off body) instead of re-sending it, so the writer can look in GHL first (`create_once`).
"""

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, TypeVar

import orjson
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import messages
from ghl_http.auth import build_authenticator
from ghl_http.client import build_http_client, ghl_headers
from ghl_http.errors import ghl_message
from ghl_http.rate_limit import build_api_budget

# GHL answers these with a body the writers read (duplicate contact, not found, validation messages).
PASSTHROUGH = frozenset({400, 404, 409, 422})
CREATE_ATTEMPTS = 4

T = TypeVar("T")


@dataclass
class Reply:
    status: Optional[int]  # None: no answer at all
    body: Any
    message: str = ""

    @property
    def answered(self) -> bool:
        """A 2xx: GHL says it did what was asked, whatever the body looks like."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def ok(self) -> bool:
        return self.answered and isinstance(self.body, dict)

    @property
    def lost(self) -> bool:
        """GHL may or may not have applied the request."""
        return self.status is None or self.status >= 500 or (200 <= self.status < 300 and not isinstance(self.body, dict))


class Malformed(LookupError):
    """A 2xx answer without the shape GHL documents for its route. Read as "nothing there", it could make the
    destination create a record twice; so a writer rejects the one record it concerns (a LookupError, like a
    listing that failed), and the flusher stops the sync when the answer concerns more (a contact)."""

    def __init__(self, what: str, reply: Reply, problem: str):
        super().__init__(messages.MALFORMED.format(request=what, status=reply.status, problem=problem))

    def stop(self) -> AirbyteTracedException:
        message = (f"{self}. The sync stopped after its last saved state rather than guess; the next sync "
                   "resumes from there.")
        return AirbyteTracedException(message=message, internal_message=message,
                                      failure_type=FailureType.transient_error)


def one(reply: Reply, key: str, what: str, absent_is_none: bool = False) -> Optional[Dict[str, Any]]:
    """The object with an id under `key` of a 2xx answer; None when GHL says there is none (null; also an
    absent key with `absent_is_none`)."""
    if not isinstance(reply.body, dict):
        raise Malformed(what, reply, "not a JSON object")
    if reply.body.get(key) is None and (absent_is_none or key in reply.body):
        return None
    value = reply.body.get(key)
    if not isinstance(value, dict) or not value.get("id"):
        raise Malformed(what, reply, f"'{key}' is not an object with an id")
    return value


def items(reply: Reply, key: str, what: str) -> List[Dict[str, Any]]:
    """The list under `key` of a 2xx answer, every item an object with an id."""
    value = reply.body.get(key) if isinstance(reply.body, dict) else None
    if not isinstance(value, list):
        raise Malformed(what, reply, f"'{key}' is missing or not a list")
    if not all(isinstance(item, dict) and item.get("id") for item in value):
        raise Malformed(what, reply, f"'{key}' holds items that are not objects with an id")
    return value


def created_record(body: Any, key: Optional[str]) -> Optional[Dict[str, Any]]:
    """What a create's answer says was created (`body[key]`, or the body itself), when it has an id."""
    record = body.get(key) if key and isinstance(body, dict) else body
    return record if isinstance(record, dict) and record.get("id") else None


@dataclass
class Found:
    """`create_once` found the record in GHL after an answer was lost: it was created by that request."""

    record: Any


class GHL:
    def __init__(self, config: Mapping[str, Any], logger: logging.Logger):
        budget = build_api_budget(int(config["requests_per_10_seconds"]))
        auth = build_authenticator(config)
        common = dict(name="destination-ghl-contacts", logger=logger, passthrough_statuses=PASSTHROUGH,
                      api_budget=budget, authenticator=auth)
        self.safe = build_http_client(config, **common)
        self.once = build_http_client(config, retry_ambiguous=False, **common)
        self.base = config["api_base_url"]
        self.location_id = config["location_id"]
        self.logger = logger

    def call(self, method: str, path: str, *, json: Any = None, params: Optional[Mapping[str, str]] = None,
             calendars: bool = False, once: bool = False) -> Reply:
        client = self.once if once else self.safe
        _, response = client.send_request(method, self.base + path, headers=ghl_headers(calendars=calendars),
                                          params=params, json=json, request_kwargs={})
        if response is None:
            return Reply(None, None, "no answer from GHL")
        try:
            body = orjson.loads(response.content) if response.content else {}
        except orjson.JSONDecodeError:
            body = None
        return Reply(response.status_code, body, ghl_message(response) if response.status_code >= 400 else "")

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.call("GET", path, **kwargs)

    def create_once(self, path: str, body: Mapping[str, Any], find: Callable[[], Optional[T]],
                    key: Optional[str], calendars: bool = False) -> "Reply | Found":
        """POST a create; when its answer is lost, look for the record (`find`) before sending it again.

        A 2xx answer returned has the created record (with its id) under `key` (None: the body is the record);
        a 2xx answer without it is handled as lost: GHL may have created the record, so it is looked for first.
        """
        for attempt in range(CREATE_ATTEMPTS):
            reply = self.call("POST", path, json=body, calendars=calendars, once=True)
            if not reply.lost and not (reply.answered and created_record(reply.body, key) is None):
                return reply
            existing = find()
            if existing is not None:
                self.logger.info(f"POST {path}: the answer was lost but GHL has the record; not sending it again.")
                return Found(existing)
            self.logger.info(f"POST {path}: the answer was lost and GHL does not have the record; sending it again.")
            time.sleep(min(8.0, 0.5 * 2**attempt))
        raise AirbyteTracedException(
            message=f"GHL did not answer a create on {path} after {CREATE_ATTEMPTS} attempts (server or network "
            "errors, or answers without the created record). The sync stopped after its last saved state; the next "
            "sync resumes from there without duplicates.",
            failure_type=FailureType.transient_error,
        )
