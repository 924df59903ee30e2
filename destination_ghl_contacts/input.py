"""Reading the destination's input (Airbyte messages, one JSON document per line) without losing a record.

The CDK's own reader drops a line it cannot parse with an INFO log that echoes the whole line (contact data
included), and lets a RECORD without a record, or with `data` that is not an object, crash the write. Here
every such line becomes an `Unusable` that the writer rejects with a reason and counts, like any invalid
record; what is printed about it is its stream, its key and what is wrong, never its content.
"""

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Union

import orjson
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, Type


NO_KEY = "(no key)"


@dataclass(frozen=True)
class Unusable:
    """An input message that carries no writable record: rejected with `reason`, never dropped silently."""

    stream: Optional[str]  # None: not a record of a known stream (not JSON, no record, ...)
    key: str
    reason: str


def record_key(data: Mapping[str, Any]) -> str:
    """How a record is named in the report: its Rankr id, else its GHL id, else its email."""
    return _printable(str(data.get("rankrId") or data.get("ghlId") or data.get("email") or NO_KEY))


def parse_lines(lines: Iterable[Union[bytes, str]]) -> Iterable[Union[AirbyteMessage, Unusable]]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield _parse(line, number)


def unusable_record(message: AirbyteMessage, where: str = NO_KEY) -> Optional[Unusable]:
    """Why a RECORD message (however it was built) cannot be written, or None when it can; `where` names a
    record that has no key of its own."""
    record = message.record
    if record is None:
        return Unusable(None, where, "the RECORD message holds no record")
    return _shape_problem(record.stream, record.data, where)


def _parse(line: Union[bytes, str], number: int) -> Union[AirbyteMessage, Unusable]:
    where = f"(input line {number})"
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return _not_strict_json(line, where, exc)
    try:
        message = AirbyteMessageSerializer.load(raw)
    except ValueError:  # the protocol's schema refused it; its message quotes values, so it is not shown
        if _is_record(raw):
            record = raw.get("record")
            return _shape_problem(record.get("stream"), record.get("data"), where) or Unusable(
                record.get("stream"), record_key(record.get("data")),
                "the RECORD message does not follow the Airbyte protocol (stream, data and emitted_at are required)")
        return Unusable(None, where, "the message does not follow the Airbyte protocol")
    if message.type == Type.RECORD:
        return unusable_record(message, where) or message
    return message


def _is_record(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("type") == "RECORD" and isinstance(raw.get("record"), dict)


def _shape_problem(stream: Any, data: Any, where: str) -> Optional[Unusable]:
    if not isinstance(stream, str) or not stream:
        return Unusable(None, record_key(data) if isinstance(data, dict) else where, "the record names no stream")
    if not isinstance(data, dict):
        return Unusable(stream, where, f"data: must be of type object, not {type(data).__name__}")
    return None


def _not_strict_json(line: Union[bytes, str], where: str, exc: orjson.JSONDecodeError) -> Unusable:
    """A line orjson refuses. Python's json module accepts one thing JSON text may hold but Unicode may not, an
    unpaired surrogate escape (\\ud800): such a record is rejected naming its stream, key and field."""
    try:
        raw = json.loads(line)
    except UnicodeDecodeError:
        return Unusable(None, where, "the input line is not UTF-8 text")
    except (ValueError, RecursionError):
        return Unusable(None, where, f"the input line is not JSON ({exc.msg})")
    field = _surrogate_path(raw.get("record", {}).get("data")) if _is_record(raw) else None
    if field is None:
        return Unusable(None, where, f"the input line is not strict JSON ({exc.msg})")
    record = raw["record"]
    stream = record.get("stream") if isinstance(record.get("stream"), str) else None
    data = record.get("data") if isinstance(record.get("data"), dict) else {}
    return Unusable(_printable(stream) if stream else None, record_key(data),
                    f"{field}: holds an unpaired UTF-16 surrogate escape, which is not valid Unicode")


def _surrogate_path(value: Any, path: str = "") -> Optional[str]:
    """The first field (dotted path) whose name or text holds a lone surrogate, or None."""
    if isinstance(value, str):
        return (path or "data") if _printable(value) != value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for name, item in items:
        here = f"{path}.{name}" if path else str(name)
        if isinstance(name, str) and _printable(name) != name:
            return _printable(here)
        found = _surrogate_path(item, here)
        if found:
            return found
    return None


def _printable(text: str) -> str:
    """`text` with any lone surrogate written as its escape, so it can be printed as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
