"""The manifest's error handler: ghl_http's classification, plus the one answer a child stream may skip."""

import logging
import re
from dataclasses import InitVar, dataclass, field
from typing import Any, List, Mapping, Optional

import requests
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy, ErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction

from ghl_http.auth import uses_oauth
from ghl_http.errors import GHLBackoffStrategy, GHLErrorHandler, ResponseOrException, ghl_message
from source_ghl_contacts.components.progress import PROGRESS

LOGGER = logging.getLogger("airbyte")

# GHL answers a contact deleted between the contacts page and its child request with HTTP 400
# {"error": "Contact with id X not found"} (BEHAVIOUR 3.4); that contact simply has no children any more.
_CONTACT_NOT_FOUND = re.compile(r"contact with id \S+ not found", re.IGNORECASE)


def is_deleted_contact(response_or_exception: ResponseOrException) -> bool:
    return (
        isinstance(response_or_exception, requests.Response)
        and response_or_exception.status_code == 400
        and bool(_CONTACT_NOT_FOUND.search(ghl_message(response_or_exception)))
    )


@dataclass
class GHLSourceErrorHandler(ErrorHandler):
    """Delegates every decision to `ghl_http.errors.classify` (through `GHLErrorHandler`).

    `skip_deleted_contacts: true` (child streams) turns "Contact with id X not found" into an empty answer
    with a log line instead of a failed sync.
    """

    config: Mapping[str, Any]
    parameters: InitVar[Mapping[str, Any]]
    skip_deleted_contacts: bool = False
    backoff_strategies: List[BackoffStrategy] = field(default_factory=list)

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._ghl = GHLErrorHandler(oauth=uses_oauth(self.config), location_id=str(self.config.get("location_id", "")))
        self.backoff_strategies = [GHLBackoffStrategy()]
        self._stream = str((parameters or {}).get("name", ""))

    @property
    def max_retries(self) -> Optional[int]:
        return self._ghl.max_retries

    @property
    def max_time(self) -> Optional[int]:
        return self._ghl.max_time

    def interpret_response(self, response_or_exception: ResponseOrException = None) -> ErrorResolution:
        if self.skip_deleted_contacts and is_deleted_contact(response_or_exception):
            LOGGER.info(
                "Skipped %s: the contact was deleted during the sync (GHL: %s).",
                response_or_exception.request.path_url.split("?")[0],  # type: ignore[union-attr]
                ghl_message(response_or_exception),  # type: ignore[arg-type]
            )
            PROGRESS.count(PROGRESS.skipped_deleted, self._stream)
            return ErrorResolution(response_action=ResponseAction.IGNORE, failure_type=None, error_message=None)
        resolution = self._ghl.interpret_response(response_or_exception)
        if resolution.response_action == ResponseAction.RATE_LIMITED:
            PROGRESS.count(PROGRESS.rate_limited, self._stream)
        return resolution
