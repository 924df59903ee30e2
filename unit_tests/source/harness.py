"""Run the source in process with HTTP mocked (requests-mock), the way its entry point does."""

from typing import Any, Dict, List, Optional

from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover, read
from airbyte_cdk.test.state_builder import StateBuilder

from source_ghl_contacts import SourceGhlContacts

CURSORS = {"contacts": "dateUpdated", "tasks": "contactDateUpdated", "notes": "contactDateUpdated", "appointments": "contactDateUpdated"}


def catalog(*streams: str, incremental: bool = False) -> Dict[str, Any]:
    return {
        "streams": [
            {
                "stream": {"name": name, "json_schema": {}, "supported_sync_modes": ["full_refresh", "incremental"]},
                "sync_mode": "incremental" if incremental and name in CURSORS else "full_refresh",
                "destination_sync_mode": "append",
                "cursor_field": [CURSORS[name]] if incremental and name in CURSORS else [],
            }
            for name in streams
        ]
    }


def run_read(config: Dict[str, Any], streams: List[str], incremental: bool = False,
             state: Optional[Dict[str, Dict[str, Any]]] = None, expecting_exception: bool = False) -> EntrypointOutput:
    configured = ConfiguredAirbyteCatalogSerializer.load(catalog(*streams, incremental=incremental))
    builder = StateBuilder()
    for stream, value in (state or {}).items():
        builder = builder.with_stream_state(stream, value)
    state_messages = builder.build()
    source = SourceGhlContacts(catalog=configured, config=config, state=state_messages)
    return read(source, config, configured, state_messages, expecting_exception=expecting_exception)


def run_discover(config: Dict[str, Any]) -> EntrypointOutput:
    return discover(SourceGhlContacts(config=config), config)
