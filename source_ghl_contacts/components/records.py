"""Record extraction for GHL's list answers, parsed once per page (by ghl_http's error check, with orjson; no
per-record work but what GHL needs), and `searchAfter` paging for `POST /contacts/search`."""

import logging
from dataclasses import InitVar, dataclass, field
from datetime import date
from typing import Any, Dict, Iterable, List, Mapping, MutableMapping, Optional

import requests
from airbyte_cdk.sources.declarative.extractors.record_extractor import RecordExtractor
from airbyte_cdk.sources.declarative.requesters.paginators.strategies.pagination_strategy import PaginationStrategy
from airbyte_cdk.sources.declarative.transformations import RecordTransformation
from airbyte_cdk.sources.types import Config, Record, StreamSlice, StreamState

from ghl_http.errors import parsed_body
from source_ghl_contacts.components.answers import records_at, request_of
from source_ghl_contacts.components.progress import PROGRESS

LOGGER = logging.getLogger("airbyte")

# Where the extractor leaves the last record's search cursor for the paginator (which sees records only after
# the cursor was stripped from them).
_SEARCH_AFTER_ATTR = "ghl_search_after"
# How many contacts GHL's page held, skipped ones included: a page is short (the last) by GHL's count, not by
# the number of records emitted.
_PAGE_LENGTH_ATTR = "ghl_page_length"


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MS_PER_DAY = 86_400_000


def date_of_birth(value: Any) -> Any:
    """GHL's search records give `dateOfBirth` as epoch milliseconds (UTC midnight of the birthday); the
    contact endpoints give it as an ISO date-time. Both become the birthday as `YYYY-MM-DD` (the UTC date).
    Anything else is passed on unchanged."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return date.fromordinal(_EPOCH_ORDINAL + int(value) // _MS_PER_DAY).isoformat()
        except (OverflowError, ValueError):
            return str(value)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        return value[:10]
    return value


def _contact_id_from_path(response: requests.Response) -> Optional[str]:
    # /contacts/{contactId}/tasks|notes|appointments
    parts = (response.request.path_url.split("?", 1)[0]).strip("/").split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "contacts" else None


@dataclass
class GHLRecordExtractor(RecordExtractor):
    """Records under `field_name` (or `$parameters.records_key`) of GHL's answer.

    `search_results: true` strips each contact's `searchAfter` (a paging artefact, not contact data) and keeps
    the last one for `SearchAfterPagination`, and turns `dateOfBirth` (epoch ms) into `YYYY-MM-DD`. `child_of_contact: true` makes sure every record carries the
    `contactId` of the contact it was read for.
    """

    config: Mapping[str, Any]
    parameters: InitVar[Mapping[str, Any]]
    field_name: str = ""
    search_results: bool = False
    child_of_contact: bool = False
    _stream: str = field(default="", init=False, repr=False)

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        params = parameters or {}
        # Child streams share one retriever definition and name their answer's key in `$parameters`.
        self.field_name = self.field_name or str(params["records_key"])
        self._stream = str(params.get("name", self.field_name))

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[str, Any]]:
        records = records_at(response, self.field_name)
        PROGRESS.count(PROGRESS.pages, self._stream)
        if self.search_results and records:
            search_after = None
            for record in records:
                search_after = record.pop("searchAfter", search_after)
                if "dateOfBirth" in record:
                    record["dateOfBirth"] = date_of_birth(record["dateOfBirth"])
            setattr(response, _SEARCH_AFTER_ATTR, search_after)
            setattr(response, _PAGE_LENGTH_ATTR, len(records))
        if self.search_results and response.ok:
            # records_at parsed the body (a dict) already; this reuses that parse for the progress estimate.
            PROGRESS.note_search_total(parsed_body(response).get("total"), str(self.config.get("location_id", "")))
        if self.child_of_contact:
            PROGRESS.count(PROGRESS.extracted, self._stream, len(records))
        if self.child_of_contact and records:
            contact_id = _contact_id_from_path(response)
            for record in records:
                if not record.get("contactId"):
                    record["contactId"] = contact_id
        return self._keyed(records, response)

    def _keyed(self, records: List[MutableMapping[str, Any]], response: requests.Response) -> List[MutableMapping[str, Any]]:
        """The records that have an `id` (every stream's primary key); any other is skipped with a warning:
        a destination could neither deduplicate nor update it, and emitting it quietly would hide GHL's fault."""
        if all(record.get("id") for record in records):
            return records
        kept = []
        for index, record in enumerate(records):
            if record.get("id"):
                kept.append(record)
            else:
                LOGGER.warning(
                    "Skipped a %s record without 'id' (item %d of '%s' in GHL's answer to %s): it cannot be keyed.",
                    self._stream, index, self.field_name, request_of(response),
                )
        return kept


# The child streams' cursor field: the `dateUpdated` of the contact a child record was read for.
CONTACT_DATE_UPDATED = "contactDateUpdated"


@dataclass
class ContactDateUpdated(RecordTransformation):
    """Copies the parent contact's `dateUpdated` (the slice's `extra_fields`, see the manifest's
    `ParentStreamConfig`) into each child record as `contactDateUpdated`, the child streams' cursor.

    A child's own dates cannot be the cursor: a task due next year would push the state past every later
    contact change, and the next sync's window would be empty. The contact's `dateUpdated` is what decides
    which children a sync reads, so the child state follows the contacts state.
    """

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
        extra = stream_slice.extra_fields if stream_slice is not None else None
        if extra:
            record[CONTACT_DATE_UPDATED] = extra.get("dateUpdated")


@dataclass
class SearchAfterPagination(PaginationStrategy):
    """GHL search paging: send the last record's `searchAfter` back; a short page is the last one.

    Unlike `page`, `searchAfter` is not capped at 10,000 records (BEHAVIOUR 3.3).
    """

    config: Mapping[str, Any]
    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self.page_size = int(self.config.get("page_size", 500))

    @property
    def initial_token(self) -> Optional[Any]:
        return None

    def next_page_token(
        self,
        response: requests.Response,
        last_page_size: int,
        last_record: Optional[Record],
        last_page_token_value: Optional[Any],
        page_size_override: Optional[int] = None,
        stream_slice: Any = None,
    ) -> Optional[Any]:
        page_length = getattr(response, _PAGE_LENGTH_ATTR, last_page_size)
        if page_length < (page_size_override or self.page_size):
            return None
        return getattr(response, _SEARCH_AFTER_ATTR, None)

    def get_page_size(self) -> Optional[int]:
        return self.page_size
