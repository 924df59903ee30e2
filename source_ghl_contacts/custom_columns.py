"""Contact custom fields by name: `key`/`name` on each `customFields` item and one typed column per field.

GHL's contact records give custom fields as `[{"id", "value"}]` only. With `locations/customFields.readonly`
the source reads the location's contact field definitions (`GET /locations/{id}/customFields?model=contact`)
once per `discover` and once per `read`, and

- adds to each `customFields` item the field's `key` (its `fieldKey` without the `contact.` prefix) and `name`;
- adds one top-level column per field, named and typed by the rules below (`discover` declares them, `read`
  fills them). A value that does not fit its column's type leaves it null, with an Airbyte `NULLED` meta
  change on the record (never a crash, never a silently wrong value).

Naming: the column is the field's key (`contact.lead_score` -> `lead_score`). A key equal to a standard
contact column (case-insensitively, as warehouses compare names) becomes `custom_<key>`; keys that still
collide with each other or a standard column all get `_<field id>` appended, so no field takes a name
another field had before (adding a field never renames an existing column unless it collides with it).

Types (GHL `dataType` -> JSON Schema) are `COLUMN_TYPES`; a dataType not listed there gets an untyped column
holding GHL's value as sent.

Agency syncs: `discover` declares the union of every location's columns (`merge_locations`). Locations that
give one key different column types share the name for the type most of them have (ties: the first in
`KINDS` order) and the others get `<name>__<kind>` (`lead_score__text`); a read fills, for each location, the
catalog's column of that name and type (`fit_to_catalog`).

Without the scope the records keep GHL's raw array and one LOG line names the scope.
"""

import logging
import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, MutableMapping, Optional

from airbyte_cdk.models import AirbyteCatalog, AirbyteMessage, FailureType, Type
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http.check import explain_failure
from ghl_http.client import build_http_client, ghl_headers
from ghl_http.constants import SCOPE_CUSTOM_FIELDS_READ
from schemas import GHL, load_schema
from source_ghl_contacts.components.auth import shared_authenticator
from source_ghl_contacts.record_changes import NULLED_KEY

CONTACTS = "contacts"
KEY_PREFIX = "contact."
CLASH_PREFIX = "custom_"
DEFINITION_RETRIES = 2

NO_SCOPE_LINE = (
    f"Contact custom fields are GHL's raw customFields array (id and value only): the token lacks the "
    f"'{SCOPE_CUSTOM_FIELDS_READ}' scope, which adds each field's key and name, one typed contacts column per "
    f"field and the custom_fields stream."
)

NUMBER = {"type": ["null", "number"]}
DATE = {"type": ["null", "string"], "format": "date"}
STRINGS = {"type": ["null", "array"], "items": {"type": "string"}}
STRING = {"type": ["null", "string"]}
# GHL dataType -> the column's JSON Schema. MONETORY is GHL's spelling of its money type.
COLUMN_TYPES: Dict[str, Dict[str, Any]] = {
    "NUMERICAL": NUMBER, "MONETORY": NUMBER, "MONETARY": NUMBER, "FLOAT": NUMBER,
    "DATE": DATE,
    "CHECKBOX": STRINGS, "MULTIPLE_OPTIONS": STRINGS,
    "TEXT": STRING, "LARGE_TEXT": STRING, "SINGLE_OPTIONS": STRING, "RADIO": STRING, "PHONE": STRING,
    "EMAIL": STRING, "TIME": STRING, "SIGNATURE": STRING,
}

class Unfit(ValueError):
    """A value that does not fit its column's type; the message says why (the value's type, never the value)."""


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def to_number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise Unfit("not a finite number")
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise Unfit("a string that is not a number") from None
        if not math.isfinite(number):
            raise Unfit("not a finite number")
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    raise Unfit(f"{_kind(value)}, not a number")


def to_date(value: Any) -> str:
    """`YYYY-MM-DD` from a date, an ISO date-time (its date as written) or epoch milliseconds (the UTC date)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=timezone.utc).date().isoformat()
        except (OverflowError, OSError, ValueError):
            raise Unfit("a number that is no epoch-milliseconds date") from None
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                date.fromisoformat(text)  # validates; the text is already the column's form
                return text
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            raise Unfit("a string that is not a date") from None
    raise Unfit(f"{_kind(value)}, not a date")


def to_strings(value: Any) -> List[str]:
    """The checked options; a single option as a string is a list of one."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise Unfit(f"{_kind(value)}, not a list of strings" if not isinstance(value, list) else "a list holding non-strings")


def to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise Unfit(f"{_kind(value)}, not text")


def as_is(value: Any) -> Any:
    return value


_CONVERTERS: Dict[int, Callable[[Any], Any]] = {id(NUMBER): to_number, id(DATE): to_date, id(STRINGS): to_strings,
                                                 id(STRING): to_string}
# A column type's short name, for the `<name>__<kind>` of a key whose type differs between locations.
KINDS: Dict[int, str] = {id(NUMBER): "number", id(DATE): "date", id(STRINGS): "list", id(STRING): "text"}
UNTYPED_KIND = "any"


@dataclass(frozen=True)
class Column:
    field_id: str
    key: str
    name: str
    data_type: str
    column: str
    schema: Mapping[str, Any]
    convert: Callable[[Any], Any]


def standard_columns() -> set:
    return {name.lower() for name in load_schema(GHL, CONTACTS)["properties"]}


def field_key(definition: Mapping[str, Any]) -> str:
    key = str(definition.get("fieldKey") or "")
    return key[len(KEY_PREFIX):] if key.startswith(KEY_PREFIX) else key


def plan_columns(definitions: Iterable[Mapping[str, Any]]) -> Dict[str, Column]:
    """The columns of the location's contact custom fields, by field id, named by the module's rules."""
    standard = standard_columns()
    fields = [d for d in definitions if isinstance(d, Mapping) and d.get("id") and d.get("model", "contact") == "contact"]
    names: Dict[str, str] = {}
    for definition in fields:
        key = field_key(definition) or str(definition["id"])
        names[definition["id"]] = CLASH_PREFIX + key if key.lower() in standard else key
    taken: Dict[str, int] = {}
    for name in names.values():
        taken[name.lower()] = taken.get(name.lower(), 0) + 1
    columns = {}
    for definition in fields:
        field_id = str(definition["id"])
        name = names[field_id]
        if taken[name.lower()] > 1 or name.lower() in standard:
            name = f"{name}_{field_id}"
        data_type = str(definition.get("dataType") or "")
        schema = COLUMN_TYPES.get(data_type, {})
        columns[field_id] = Column(field_id, field_key(definition), str(definition.get("name") or ""), data_type,
                                   name, schema, _CONVERTERS.get(id(schema), as_is))
    return columns


def kind(schema: Mapping[str, Any]) -> str:
    for known in (NUMBER, DATE, STRINGS, STRING):
        if _same_type(schema, known):
            return KINDS[id(known)]
    return UNTYPED_KIND


def _same_type(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return (a.get("type"), a.get("format"), a.get("items")) == (b.get("type"), b.get("format"), b.get("items"))


def merge_locations(plans: Iterable[Mapping[str, Column]]) -> Dict[str, Column]:
    """Every location's columns as one set, by column name (the module's agency rule)."""
    by_name: Dict[str, Dict[str, List[Column]]] = {}
    for columns in plans:
        for column in columns.values():
            by_name.setdefault(column.column, {}).setdefault(kind(column.schema), []).append(column)
    order = list(KINDS.values()) + [UNTYPED_KIND]
    merged: Dict[str, Column] = {}
    for name, kinds in by_name.items():
        ranked = sorted(kinds, key=lambda k: (-len(kinds[k]), order.index(k)))
        for position, column_kind in enumerate(ranked):
            column = kinds[column_kind][0]
            final = name if position == 0 else f"{name}__{column_kind}"
            merged[final] = replace(column, column=final)
    return merged


def fit_to_catalog(columns: Mapping[str, Column], catalog: Any) -> Dict[str, Column]:
    """A location's columns named as the catalog declares them: a column whose type differs from the catalog's
    column of that name goes to `<name>__<kind>` when the catalog has it (an agency's mixed types)."""
    properties: Mapping[str, Any] = {}
    for configured in catalog.streams:
        if configured.stream.name == CONTACTS:
            properties = configured.stream.json_schema.get("properties") or {}
    fitted = {}
    for field_id, column in columns.items():
        declared = properties.get(column.column)
        alternative = f"{column.column}__{kind(column.schema)}"
        if declared is not None and not _same_type(declared, column.schema) and alternative in properties:
            column = replace(column, column=alternative)
        fitted[field_id] = column
    return fitted


def read_definitions(config: Mapping[str, Any], logger: logging.Logger,
                     budget: Optional[APIBudget] = None) -> Optional[List[Mapping[str, Any]]]:
    """The location's contact custom-field definitions, or None when the token lacks the scope (HTTP 401/403).

    Uses the read's own authenticator (`shared_authenticator`): a second OAuth authenticator would spend the
    single-use refresh token behind the sync's back; and, during a read, the read's budget (`budget`): sent
    beside the read's first requests, a request the budget does not count would cost a 429. Any other failure
    is explained and stops the run: a catalog or sync quietly without the columns would drop them downstream."""
    client = build_http_client(config, name="custom_field_definitions", logger=logger, retries=DEFINITION_RETRIES,
                               passthrough_statuses=frozenset({401, 403}), authenticator=shared_authenticator(config),
                               api_budget=budget)
    url = f"{config['api_base_url']}/locations/{config['location_id']}/customFields"
    try:
        _, response = client.send_request("GET", url, request_kwargs={}, headers=ghl_headers(), params={"model": "contact"})
    except Exception as error:  # after the client's retries: one sentence with the cause, never a traceback
        message = explain_failure(error, config["api_base_url"])
        if message.startswith("The GHL check failed unexpectedly"):
            message = (f"Reading the location's contact custom-field definitions failed unexpectedly "
                       f"({type(error).__name__}). Retry; if it persists, report it with the logs.")
        # A refused refresh token stays a config error, a spent daily quota a transient one.
        failure_type = error.failure_type if isinstance(error, AirbyteTracedException) else FailureType.system_error
        raise AirbyteTracedException(message=message, internal_message=message, failure_type=failure_type) from None
    if response.status_code in (401, 403):
        return None
    try:
        body = response.json()
        fields = body["customFields"]
        if not isinstance(fields, list):
            raise TypeError
    except Exception:
        message = f"GHL's answer to GET /locations/{{locationId}}/customFields is malformed (HTTP {response.status_code})."
        raise AirbyteTracedException(message=message, internal_message=message) from None
    return [f for f in fields if isinstance(f, Mapping)]


def add_columns(catalog: AirbyteCatalog, columns: Mapping[str, Column]) -> None:
    """Declares the custom-field columns on the catalog's contacts stream."""
    for stream in catalog.streams:
        if stream.name == CONTACTS:
            properties = stream.json_schema.setdefault("properties", {})
            for column in columns.values():
                description = f"Custom field '{column.name}' ({column.key}, GHL dataType {column.data_type or 'unknown'})."
                properties[column.column] = {**column.schema, "description": description}


# Values of these Python types are already what their column holds: no conversion call (the common case).
_FITS_AS_IS: Dict[int, frozenset] = {id(NUMBER): frozenset({int, float}), id(STRING): frozenset({str})}


class ContactColumns:
    """Fills one contact record's custom-field columns and names its `customFields` items."""

    def __init__(self, columns: Mapping[str, Column]) -> None:
        self._plans = {field_id: (c.key, c.name, c.column, c.convert, _FITS_AS_IS.get(id(c.schema), frozenset()))
                       for field_id, c in columns.items()}
        self._types = {c.column: c.data_type for c in columns.values()}
        self._keys = {c.column: c.key for c in columns.values()}

    def apply(self, data: MutableMapping[str, Any]) -> None:
        # A column without a value is left out, which Airbyte reads as null (the serializer drops nulls too).
        items = data.get("customFields")
        if type(items) is not list:
            return
        plans = self._plans
        nulled = None
        for item in items:
            try:
                key, name, column, convert, fits = plans[item["id"]]
            except (KeyError, TypeError):
                continue  # not an object with a known id (a field deleted since the definitions were read)
            item["key"] = key
            item["name"] = name
            value = item.get("value")
            if type(value) in fits:
                if value != "":
                    data[column] = value
                continue
            if value is None or value == "" or value == []:
                continue
            try:
                data[column] = convert(value)
            except Unfit as unfit:
                nulled = nulled or []
                nulled.append((column, f"custom field '{self._keys[column]}' ({self._types[column]}) holds {unfit}"))
        if nulled:
            data.setdefault(NULLED_KEY, []).extend(nulled)


def columns_for_read(config: Mapping[str, Any], catalog: Any, logger: logging.Logger,
                     budget: Optional[APIBudget] = None) -> Optional[Dict[str, Column]]:
    """The columns a read fills: definitions read once, and only when the catalog selects contacts."""
    if not any(stream.stream.name == CONTACTS for stream in catalog.streams):
        return None
    definitions = read_definitions(config, logger, budget)
    if definitions is None:
        logger.info(NO_SCOPE_LINE)
        return None
    return plan_columns(definitions)


def columns_in_background(config: Mapping[str, Any], catalog: Any, logger: logging.Logger,
                          budget: Optional[APIBudget]) -> "Future[Optional[Dict[str, Column]]]":
    """`columns_for_read` in a thread of its own, started now: its request goes out with the read's first
    requests instead of before them (the read is as fast as its first seconds' requests)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ghl-custom-fields")
    try:
        return pool.submit(columns_for_read, config, catalog, logger, budget)
    finally:
        pool.shutdown(wait=False)


def with_contact_columns(messages: Iterable[AirbyteMessage], columns: "Future[Optional[Dict[str, Column]]]",
                         catalog: Any) -> Iterator[AirbyteMessage]:
    """Pass `messages` through, filling the custom-field columns of `contacts` records. Main thread. The
    columns are waited for at the first contact record (and at the end, so a failed definitions read is
    never silent)."""
    contact_columns: Optional[ContactColumns] = None
    for message in messages:
        if message.type == Type.RECORD and message.record.stream == CONTACTS:  # type: ignore[union-attr]
            if contact_columns is None:
                contact_columns = ContactColumns(fit_to_catalog(columns.result() or {}, catalog))
            contact_columns.apply(message.record.data)  # type: ignore[union-attr]
        yield message
    columns.result()
