"""Where each record goes: the GHL location it names, each location with its own writer.

A single-location config (a Private Integration token, location OAuth) has one writer. Agency credentials
serve the locations `ghl_http.tenancy` selects; a record names its location in `locationId` (mappable with
`field_mappings`), and one without goes to `location_id`. Each location has its own GHL client (token and
budget: GHL's limits are per app and location), its own buffer and contact directory (the same email may be
two contacts in two locations), and its own threads, so every location writes at its own full rate.

A location the app is uninstalled from during the write (its token can no longer be minted) is out of the
sync from then on: its pending and later records are rejected with that reason, as records for a location
that was not installed at the start are, and the other locations go on. Any other failure stops the sync.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from destination_ghl_contacts.buffer import Buffer
from destination_ghl_contacts.context import WriteContext
from destination_ghl_contacts.flush import Flusher
from destination_ghl_contacts.ghl import GHL
from destination_ghl_contacts.report import Report
from destination_ghl_contacts.spec import Settings
from airbyte_cdk.models import FailureType, Level
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import tenancy
from ghl_http.auth import is_agency

LOCATION_FIELD = "locationId"

# Locations flushed at the same time; each has `concurrency` threads of its own.
MAX_PARALLEL_LOCATIONS = 50

LOCATION_GONE = (
    "{field}: location '{location_id}' left the sync when GHL refused its token mid-write: {cause} The record was "
    "not written; once the app is installed there again, write it again (from the rejected-record storage, or "
    "with a new sync of it)."
)


@dataclass
class LocationWriter:
    ctx: WriteContext
    flusher: Flusher
    pool: ThreadPoolExecutor


class Locations:
    def __init__(self, config: Dict[str, Any], settings: Settings, report: Report, logger: logging.Logger):
        self._settings = settings
        self._report = report
        self._logger = logger
        self._agency = is_agency(config)
        self._configs = {c["location_id"]: c for c in tenancy.location_configs(config, logger)}
        self.default = config.get("location_id") or None
        self._writers: Dict[str, LocationWriter] = {}
        self._gone: Dict[str, str] = {}  # location -> why its records are rejected
        self._flush_pool = ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_LOCATIONS, max(1, len(self._configs))),
                                              thread_name_prefix="ghl-location")

    def writer_for(self, record: Mapping[str, Any]) -> Tuple[Optional[WriteContext], str]:
        """(the record's location's context, "") or (None, why the record has no location it can go to)."""
        location_id = str(record.get(LOCATION_FIELD) or "") if self._agency else ""
        location_id = location_id or self.default or ""
        if not location_id:
            return None, (f"{LOCATION_FIELD}: is missing; give each record the GHL location it belongs to, or set "
                          "location_id for records without one")
        if location_id not in self._configs:
            why = "is not in location_ids" if self._settings.config.get("location_ids") else (
                "is not a location where the app is installed" if self._agency else "is not this connector's location")
            if self._settings.config.get("location_shard"):
                why += " (or falls in another location_shard)"
            return None, f"{LOCATION_FIELD}: location '{location_id}' {why}"
        if location_id in self._gone:
            return None, self._gone[location_id]
        return self._writer(location_id).ctx, ""

    def _writer(self, location_id: str) -> LocationWriter:
        writer = self._writers.get(location_id)
        if writer is None:
            config = self._configs[location_id]
            pool = ThreadPoolExecutor(max_workers=self._settings.concurrency, thread_name_prefix="ghl-write")
            ctx = WriteContext(GHL(config, self._logger), self._settings, self._report, Buffer())
            writer = self._writers[location_id] = LocationWriter(ctx, Flusher(ctx, pool), pool)
        return writer

    def flush(self, final: bool) -> None:
        """Every location's buffer written, locations in parallel. A location uninstalled meanwhile leaves the
        sync (module doc); any other failure stops it."""
        writers = {location_id: w for location_id, w in self._writers.items() if location_id not in self._gone}
        if len(writers) == 1 and not self._agency:
            next(iter(writers.values())).flusher.flush(final)
            return
        futures = {location_id: self._flush_pool.submit(w.flusher.flush, final) for location_id, w in writers.items()}
        failure = None
        for location_id, future in futures.items():
            try:
                future.result()
            except AirbyteTracedException as error:
                cause = self._uninstalled(location_id, error)
                if cause is None:
                    failure = failure or error
                    continue
                self._leave(location_id, cause)
        if failure is not None:
            raise failure

    def _uninstalled(self, location_id: str, error: AirbyteTracedException) -> Optional[str]:
        """Why the location can no longer be written to, if the app was uninstalled from it: a fresh location
        token is refused. None when the failure has another cause (then it stops the sync)."""
        if not self._agency or error.failure_type != FailureType.config_error:
            return None
        try:
            tenancy.location_authenticator(self._configs[location_id]).refresh_and_set_access_token()
        except AirbyteTracedException as refused:
            return refused.message or "the app is no longer installed there"
        return None

    def _leave(self, location_id: str, cause: str) -> None:
        reason = LOCATION_GONE.format(field=LOCATION_FIELD, location_id=location_id, cause=cause)
        self._gone[location_id] = reason
        self._report.note(Level.WARN, f"Location '{location_id}' left the sync: {cause} Its pending and later "
                                      "records are rejected; the other locations go on.")
        self._writers[location_id].flusher.reject_pending(reason)

    def pending_marks(self) -> Dict[str, int]:
        """Each location's last buffered record, for the STATE that arrives now."""
        return {location_id: w.ctx.buffer.last_seq for location_id, w in self._writers.items()}

    def done_before(self, marks: Mapping[str, int]) -> bool:
        """Whether every record buffered before the marks was written or rejected."""
        for location_id, last_seq in marks.items():
            oldest = self._writers[location_id].ctx.buffer.oldest_pending()
            if oldest is not None and oldest <= last_seq:
                return False
        return True

    def close(self) -> None:
        self._flush_pool.shutdown(wait=False)
        for writer in self._writers.values():
            writer.pool.shutdown(wait=True)
            writer.ctx.buffer.close()
