"""Check an incoming record against its input schema (schemas/rankr) before any GHL call.

A reason names the field and what is wrong with it, never more of the value than needed to find it.
"""

from datetime import datetime
from functools import lru_cache
from typing import Any, Mapping, Optional

import jsonschema

from schemas import RANKR, load_schema

SCHEMA_OF_OBJECT = {"contacts": "contact", "tasks": "task", "notes": "note", "appointments": "appointment",
                    "tags": "tag"}
_REFERENCES = ("contactId", "contactRankrId", "contactEmail")


@lru_cache(maxsize=None)
def _validator(obj: str) -> jsonschema.Draft7Validator:
    schema = load_schema(RANKR, SCHEMA_OF_OBJECT[obj])
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def is_deleted(record: Mapping[str, Any]) -> bool:
    return record.get("deleted") is True or bool(record.get("_ab_cdc_deleted_at"))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _reason(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        return f"{error.message.split(chr(39))[1]}: is required"
    if error.validator == "anyOf" and not where:
        return "no contact reference: give contactId, contactRankrId or contactEmail"
    if error.validator == "pattern":
        if "\\d{2}:\\d{2}" in str(error.validator_value):
            return f"{where}: {_shown(error.instance)} is not an ISO 8601 date-time with a UTC offset"
        return f"{where}: {_shown(error.instance)} has an invalid format"
    if error.validator == "format":
        return f"{where}: {_shown(error.instance)} is not a valid {error.validator_value}"
    if error.validator == "enum":
        return f"{where}: {_shown(error.instance)} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "type":
        return f"{where}: must be of type {error.validator_value}"
    if error.validator in ("minLength", "minItems"):
        return f"{where}: is empty"
    if error.validator in ("maxLength", "maxItems"):
        return f"{where}: is too long (at most {error.validator_value})"
    return f"{where or 'record'}: {error.message[:200]}"


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _semantic_problem(obj: str, record: Mapping[str, Any]) -> Optional[str]:
    """What a schema cannot say."""
    if obj == "appointments" and _time(record["endTime"]) <= _time(record["startTime"]):
        return "endTime: must be after startTime"
    return None


def _delete_problem(obj: str, record: Mapping[str, Any]) -> Optional[str]:
    # A CDC delete carries little more than its key: ask only for what finds the GHL record again.
    if obj == "contacts":
        return None if (record.get("ghlId") or record.get("email")) else "a deleted contact needs ghlId or email"
    if not (record.get("ghlId") or record.get("rankrId")):
        return "a deleted record needs ghlId or rankrId"
    if not any(record.get(ref) for ref in _REFERENCES):
        return "no contact reference: give contactId, contactRankrId or contactEmail"
    return None


def _one_per_problem(errors: list) -> list:
    """A value refused by both `pattern` and `format` (an email) is one problem: one reason, the one that says
    what the value should be (a generic "has an invalid format" gives way)."""
    kept: dict = {}
    for error in errors:
        shape = error.validator in ("pattern", "format")
        key = (tuple(error.absolute_path), "shape" if shape else id(error))
        # The pattern's reason wins when it says more than "invalid format" (a date-time's UTC offset): then
        # the reason is the same whether or not jsonschema's optional format checkers are installed.
        if key not in kept or _reason(kept[key]).endswith(" has an invalid format") or (
                error.validator == "pattern" and not _reason(error).endswith(" has an invalid format")):
            kept[key] = error
    return list(kept.values())


def problem(obj: str, record: Mapping[str, Any]) -> Optional[str]:
    """None when the record is valid for `obj`, else the reason it is not."""
    if is_deleted(record):
        return _delete_problem(obj, record)
    errors = sorted(_validator(obj).iter_errors(record), key=lambda e: (list(e.absolute_path), e.validator))
    if errors:
        return "; ".join(dict.fromkeys(_reason(e) for e in _one_per_problem(errors)[:3]))
    return _semantic_problem(obj, record)
