"""A contact's custom-field values must fit their GHL field's type, or the record is rejected: GHL would
otherwise store a number field's "n/a" as text, or drop it, without a word.

Checked against the location's definitions (the same read the contact writer compares custom fields with),
by GHL dataType:

| dataType | a value fits when it is |
|---|---|
| NUMERICAL, MONETORY | a number, or text that reads as one |
| CHECKBOX, MULTIPLE_OPTIONS | a list of texts, each one of the field's options when it lists them |
| SINGLE_OPTIONS, RADIO | a text, one of the field's options when it lists them (case aside) |
| DATE | a date or date-time text (ISO 8601), or a number (epoch milliseconds) |
| anything else (TEXT, LARGE_TEXT, PHONE, EMAIL, ...) | a text or a number |

A null or empty value clears the field and always fits. A field the location does not have is left alone
(GHL ignores it; `check` reports the ones `field_mappings` name), as are all values when the definitions
cannot be read.
"""

from datetime import date, datetime
from typing import Any, Dict, Mapping, Optional

from destination_ghl_contacts.mapping import CUSTOM

_NUMBERS = {"NUMERICAL", "MONETORY", "MONETARY"}
_MULTI = {"CHECKBOX", "MULTIPLE_OPTIONS"}
_SINGLE = {"SINGLE_OPTIONS", "RADIO"}


def problem(definitions_by_id: Mapping[str, Dict[str, Any]], ids: Optional[Mapping[str, str]],
            record: Mapping[str, Any]) -> Optional[str]:
    """The first custom-field value of `record` that does not fit its field, as a rejection reason."""
    if not ids or not isinstance(record.get(CUSTOM), Mapping):
        return None
    for name, value in record[CUSTOM].items():
        definition = definitions_by_id.get(ids.get(name) or "")
        if definition is None or value in (None, "", []):
            continue
        expected = _misfit(str(definition.get("dataType") or "TEXT").upper(), value,
                           [str(o) for o in definition.get("picklistOptions") or []])
        if expected:
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            return (f"customFields.{name}: {shown} does not fit the GHL {definition.get('dataType')} field "
                    f"'{definition.get('fieldKey') or definition.get('id')}' ({expected})")
    return None


def _misfit(kind: str, value: Any, options: list) -> Optional[str]:
    """What the field expects, when `value` is not it; None when it fits."""
    if kind in _NUMBERS:
        return None if _is_number(value) else "expected a number"
    if kind in _MULTI:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "expected a list of texts"
        outside = [v for v in value if options and v not in options]
        return f"not among its options {options}: {outside}" if outside else None
    if kind in _SINGLE:
        if not isinstance(value, str):
            return "expected a text"
        wanted = {o.lower() for o in options}
        return f"expected one of {options}" if options and value.lower() not in wanted else None
    if kind == "DATE":
        return None if _is_date(value) else "expected a date (YYYY-MM-DD) or an ISO 8601 date-time"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "expected a text"
    return None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        float(str(value).strip())
        return bool(str(value).strip())
    except ValueError:
        return False


def _is_date(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    if not isinstance(value, str):
        return False
    text = value.strip().replace("Z", "+00:00")
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            parse(text)
            return True
        except ValueError:
            continue
    return False
