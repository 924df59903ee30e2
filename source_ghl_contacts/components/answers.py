"""GHL's list answers, checked before their records are trusted.

A list answer read as "no records" when it is not one loses data quietly: a search page without its
`contacts` list looks like a short last page and ends the scan; a child answer without its list looks like a
contact without tasks. So anything but a JSON object holding a list of objects under the expected key stops
the stream with an error naming GHL's answer and what was wrong with it (never its content).
"""

from typing import Any, List, MutableMapping

import orjson
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import messages
from ghl_http.errors import parsed_body

_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}


def _kind(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def request_of(response: requests.Response) -> str:
    """`METHOD /path` of the request that got `response`, without its query."""
    request = getattr(response, "request", None)
    if request is None:
        return "a request"
    return f"{request.method} {request.path_url.split('?', 1)[0]}"


def malformed(response: requests.Response, problem: str) -> AirbyteTracedException:
    # system_error: GHL's side, nothing in the user's config can fix it.
    message = messages.MALFORMED_ANSWER.format(request=request_of(response), status=response.status_code, problem=problem)
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.system_error)


def records_at(response: requests.Response, key: str) -> List[MutableMapping[str, Any]]:
    """The list of objects under `key` of a 2xx answer, or an error saying how the answer is malformed."""
    if not response.ok:
        return []  # an answer the error handler chose to ignore (a contact deleted during the sync): no records
    try:
        # The error handler parsed the body to check it is complete JSON; that parse is reused.
        body = parsed_body(response) if response.content else None
    except orjson.JSONDecodeError:
        raise malformed(response, f"not JSON, content-type {response.headers.get('content-type') or 'none'}") from None
    if not isinstance(body, dict):
        raise malformed(response, f"the body is {_kind(body) if response.content else 'empty'}, not an object")
    if key not in body:
        raise malformed(response, f"no '{key}' list")
    records = body[key]
    if not isinstance(records, list):
        raise malformed(response, f"'{key}' is {_kind(records)}, not a list")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise malformed(response, f"item {index} of '{key}' is {_kind(record)}, not an object")
    return records
