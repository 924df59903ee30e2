"""Appointment times as instants: GHL's zone-less `YYYY-MM-DD HH:MM:SS` becomes ISO 8601 UTC (`…Z`).

`GET /contacts/{contactId}/appointments` gives `startTime`/`endTime` without a zone (BEHAVIOUR 4.2; spec
example `2021-07-16 11:00:00`; GHL documents no zone). The project reads that text as UTC, the zone GHL keeps
event instants in: an appointment created at `10:00:00+05:30` lists as `04:30:00` (what the sandbox emulates,
and what the destination's matching of its own appointments relies on). So no extra request for the
location's timezone (`GET /locations/{id}`, scope `locations.readonly`) is made; this module is the one place
to change should GHL turn out to print local time there. A time that
already carries `Z` or an offset is converted to UTC too, so every appointment time has one shape.
"""

from dataclasses import InitVar, dataclass
from datetime import datetime, timezone
from typing import Any, Dict, Mapping, Optional

from airbyte_cdk.sources.declarative.transformations import RecordTransformation
from airbyte_cdk.sources.types import Config, StreamSlice, StreamState

from source_ghl_contacts.record_changes import mark_nulled

APPOINTMENT_TIMES = ("startTime", "endTime")
# An appointment's own timestamps, as UTC instants at whole seconds: the per-contact route gives milliseconds
# (`…:39.848Z`), GHL's location-wide `GET /calendars/events` gives seconds with the location's offset
# (`…:39+02:00`); an appointment is the same record whichever route read it (location_wide.py).
RECORD_TIMES = ("dateAdded", "dateUpdated")


def utc_instant(value: str, whole_seconds: bool = False) -> Optional[str]:
    """`value` as `YYYY-MM-DDTHH:MM:SSZ` (milliseconds kept when GHL sent them), or None if it is no time.

    Zone-less text (space or `T` separated) is UTC; text with `Z` or an offset is converted to UTC."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    parsed = parsed.astimezone(timezone.utc)
    if whole_seconds:
        parsed = parsed.replace(microsecond=0)
    spec = "milliseconds" if parsed.microsecond else "seconds"
    return parsed.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


@dataclass
class AppointmentTimes(RecordTransformation):
    """`startTime`/`endTime` of an appointment as ISO 8601 UTC instants (`dateAdded`/`dateUpdated` too, at whole
    seconds). A value that is not a time is
    emitted as null and reported in the record's Airbyte meta changes (`NULLED`), never passed on as a
    string the `date-time` type would misdescribe."""

    config: Mapping[str, Any]
    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        pass

    def transform(
        self,
        record: Dict[str, Any],
        config: Optional[Config] = None,
        stream_state: Optional[StreamState] = None,
        stream_slice: Optional[StreamSlice] = None,
    ) -> None:
        for name in APPOINTMENT_TIMES + RECORD_TIMES:
            value = record.get(name)
            if value is None or value == "":
                if value == "":
                    record[name] = None
                continue
            instant = utc_instant(value, name in RECORD_TIMES) if isinstance(value, str) else None
            if instant is None:
                record[name] = None
                mark_nulled(record, name, f"GHL's {name} is not a time ({type(value).__name__})")
            else:
                record[name] = instant
