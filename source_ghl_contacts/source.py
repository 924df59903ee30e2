"""source-ghl-contacts: the declarative manifest plus what the CDK cannot express from YAML alone."""

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional

from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    ConnectorSpecification,
    Status,
)
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource
from airbyte_cdk.sources.streams.concurrent.abstract_stream import AbstractStream
from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import tenancy
from ghl_http.auth import is_agency
from ghl_http.check import check_each, checked_locations
from ghl_http.config import validate_config
from source_ghl_contacts.agency_read import read_locations
from source_ghl_contacts.check import check_connection
from source_ghl_contacts.components.budget import source_api_budget
from source_ghl_contacts.components.checkpoint import checkpoint_every_page
from source_ghl_contacts.custom_columns import (NO_SCOPE_LINE, add_columns, columns_in_background,
                                               merge_locations, plan_columns, read_definitions, with_contact_columns)
from source_ghl_contacts.estimates import with_estimates
from source_ghl_contacts.failure_summary import with_summary_failure_type
from source_ghl_contacts.location_wide import LocationWideRead
from source_ghl_contacts.manifest_once import parsed_manifest, validate_once
from source_ghl_contacts.progress_log import with_progress_logs
from source_ghl_contacts.record_changes import with_changes
from source_ghl_contacts.run_together import DONE, run_together
from source_ghl_contacts.spec import connection_spec, connector_specification
from source_ghl_contacts.webhook_events import cdk_state, with_webhook_events

MANIFEST = str(Path(__file__).with_name("manifest.yaml"))
CUSTOM_FIELDS = "custom_fields"
# Locations whose custom-field definitions an agency discover reads at once (one request each).
DISCOVER_PARALLEL = 8


def resolve_config(config: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """The config with the spec's defaults filled in; an invalid config is passed on as is so `check` can
    explain it (read and discover reject it first)."""
    if not config:
        return {}
    try:
        return validate_config(config, connection_spec())
    except AirbyteTracedException:
        return dict(config) if isinstance(config, Mapping) else {}


def int_setting(config: Mapping[str, Any], name: str, default: int) -> int:
    """An integer option of a config that may not have passed validation yet: until the entry point rejects
    such a config (naming the field), the default stands in, so building the source cannot fail on it."""
    value = config.get(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _failure(location_config: Mapping[str, Any], logger: logging.Logger) -> Optional[str]:
    status = check_connection(location_config, logger)
    return None if status.status == Status.SUCCEEDED else status.message


class SourceGhlContacts(YamlDeclarativeSource):
    def __init__(
        self,
        catalog: Optional[ConfiguredAirbyteCatalog] = None,
        config: Optional[Mapping[str, Any]] = None,
        state: Optional[List[AirbyteStateMessage]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(path_to_yaml=MANIFEST, catalog=catalog, config=resolve_config(config), state=cdk_state(state),
                         **kwargs)
        self._use_ghl_budget()

    def _read_and_parse_yaml_file(self, path_to_yaml_file: str) -> Dict[str, Any]:  # type: ignore[override]
        return parsed_manifest(path_to_yaml_file)  # one parse per process (manifest_once.py)

    def _validate_source(self) -> None:
        validate_once(MANIFEST, super()._validate_source)

    def _use_ghl_budget(self) -> None:
        """Every requester the component factory builds gets ghl_http's budget (`build_api_budget`), one per
        process and location, behind the first-answer gate of `components/budget.py`.

        Its policy enters requests GHL counted but this process did not send (a `check` or `discover` run just
        before, another sync) as spent, from `x-ratelimit-remaining`. The manifest declares no `api_budget`,
        so the CDK keeps this one; this CDK version builds its factory itself and takes no factory argument.
        """
        factory = self._constructor
        if not hasattr(factory, "_api_budget"):
            raise RuntimeError("The CDK's ModelToComponentFactory no longer has `_api_budget`: update _use_ghl_budget.")
        factory._api_budget = source_api_budget(int_setting(self._config, "requests_per_10_seconds", 100),
                                                agency=is_agency(self._config))

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return connector_specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        try:
            resolved = validate_config(config, connection_spec())
            location_configs = tenancy.location_configs(resolved, logger)
        except AirbyteTracedException as error:
            return AirbyteConnectionStatus(status=Status.FAILED, message=error.message)
        return check_each(checked_locations(resolved, location_configs), lambda location: _failure(location, logger))

    def discover(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteCatalog:
        resolved = validate_config(config, connection_spec())
        if not is_agency(resolved):
            return self._discover_locations(logger, config, [self._config])
        # Every location offers the same streams; each adds the columns of its own custom fields.
        location_configs = tenancy.location_configs(resolved, logger)
        return SourceGhlContacts(config=location_configs[0])._discover_locations(logger, location_configs[0],
                                                                                 location_configs)

    def _discover_locations(self, logger: logging.Logger, config: Mapping[str, Any],
                            location_configs: List[Mapping[str, Any]]) -> AirbyteCatalog:
        catalog = super().discover(logger, config)
        with ThreadPoolExecutor(max_workers=min(DISCOVER_PARALLEL, len(location_configs))) as pool:
            found = list(pool.map(lambda location: read_definitions(location, logger), location_configs))
        definitions = [location for location in found if location is not None]
        if not definitions:  # no custom-field scope (the app's scopes are the same everywhere): raw array only
            logger.info(NO_SCOPE_LINE)
            catalog.streams = [stream for stream in catalog.streams if stream.name != CUSTOM_FIELDS]
        else:
            add_columns(catalog, merge_locations(plan_columns(location) for location in definitions))
        return catalog

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: Optional[List[AirbyteStateMessage]] = None,
    ) -> Iterator[AirbyteMessage]:
        resolved = validate_config(config, connection_spec())
        if not is_agency(resolved):
            yield from with_progress_logs(with_estimates(self._read_location(logger, config, catalog, state)))
            return
        location_configs = tenancy.location_configs(resolved, logger)
        streams = [configured.stream.name for configured in catalog.streams]

        def read_one(location_config: Mapping[str, Any], location_state: List[AirbyteStateMessage]) -> Iterator[AirbyteMessage]:
            location = SourceGhlContacts(catalog=catalog, config=location_config, state=location_state)
            return location._read_location(logger, location_config, catalog, location_state)

        yield from with_progress_logs(with_estimates(read_locations(location_configs, streams, state, read_one, logger)))

    def _read_location(self, logger: logging.Logger, config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
                       state: Optional[List[AirbyteStateMessage]]) -> Iterator[AirbyteMessage]:
        """The declarative read of one location (`config['location_id']`), with its own custom-field columns."""
        columns = columns_in_background(self._config, catalog, logger, self._constructor._api_budget)
        # webhook_receiver (webhook_events.py): deletion records, children of contacts with events, its cursor;
        # then tasks and appointments location-wide where they can be (location_wide.py), the rest declarative
        messages = with_webhook_events(self._config, catalog, state, logger,
                                       lambda own_state: self._location_wide_then_declarative(logger, config, catalog,
                                                                                              own_state))
        messages = with_contact_columns(messages, columns, catalog)
        yield from with_summary_failure_type(with_changes(messages))

    def _location_wide_then_declarative(self, logger: logging.Logger, config: Mapping[str, Any],
                                        catalog: ConfiguredAirbyteCatalog,
                                        state: Optional[List[AirbyteStateMessage]]) -> Iterator[AirbyteMessage]:
        """Tasks and appointments of a full or first sync read location-wide where the token's scopes allow
        (`location_wide.py`), the manifest's streams for the rest, all at once: a sync is as fast as the
        requests its first seconds send (GHL's window lets 100 go at once, the rest wait for the first to age
        out), so no stream's first request waits for another stream. A stream whose scope is missing is read
        per contact once the others are done."""
        wide = LocationWideRead(self._config, catalog, state, logger, self._constructor._api_budget)
        declarative = wide.declarative_catalog(catalog)
        producers = wide.producers()
        if declarative.streams:
            producers.append(("declarative", lambda: self.read_declarative(logger, config, declarative, state)))
        cdk_error: Optional[AirbyteTracedException] = None
        for _, item in run_together(producers, max_threads=len(producers), name="ghl-streams"):
            if isinstance(item, AirbyteTracedException):
                cdk_error = item  # the CDK's summary of its failed streams, raised with the others' below
            elif isinstance(item, BaseException):
                raise item
            elif item is not DONE:
                yield item
        fallback = wide.fallback_catalog(catalog)
        if fallback.streams:
            try:
                yield from self._per_contact_source(fallback, state).read_declarative(logger, config, fallback, state)
            except AirbyteTracedException as error:
                cdk_error = error
        wide.raise_failures(cdk_error)

    def _per_contact_source(self, catalog: ConfiguredAirbyteCatalog,
                            state: Optional[List[AirbyteStateMessage]]) -> "SourceGhlContacts":
        """A source for a second declarative read of this location (the CDK's read shuts its thread pool when
        it ends), spending this one's budget."""
        source = SourceGhlContacts(catalog=catalog, config=self._config, state=state)
        source._constructor._api_budget = self._constructor._api_budget
        return source

    def read_declarative(self, logger: logging.Logger, config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
                         state: Optional[List[AirbyteStateMessage]]) -> Iterator[AirbyteMessage]:
        """The CDK's read of the manifest's streams alone."""
        return super().read(logger, config, catalog, state)

    def streams(self, config: Mapping[str, Any]) -> List[AbstractStream]:  # type: ignore[override]
        streams = super().streams(config)
        for stream in streams:
            cursor = getattr(stream, "cursor", None)
            if stream.name == "contacts" and type(cursor) is ConcurrentCursor:
                checkpoint_every_page(cursor, int_setting(self._config, "page_size", 500))
        return streams
