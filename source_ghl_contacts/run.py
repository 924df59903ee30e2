"""Console entry point `source-ghl-contacts`: Airbyte's spec, check, discover and read."""

import sys
from typing import List, Optional

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import (
    AirbyteErrorTraceMessage,
    AirbyteMessage,
    AirbyteTraceMessage,
    FailureType,
    TraceType,
    Type,
)
from airbyte_cdk.models.airbyte_protocol_serializers import AirbyteMessageSerializer
from airbyte_cdk.utils.datetime_helpers import ab_datetime_now
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http.config import read_config_file
from source_ghl_contacts.entrypoint import launch
from source_ghl_contacts.source import SourceGhlContacts


def _create_source(args: List[str]) -> SourceGhlContacts:
    parsed = AirbyteEntrypoint.parse_args(args)
    config_path = getattr(parsed, "config", None)
    catalog_path = getattr(parsed, "catalog", None)
    state_path = getattr(parsed, "state", None)
    config = read_config_file(config_path) if config_path else None
    catalog = SourceGhlContacts.read_catalog(catalog_path) if catalog_path else None
    state = SourceGhlContacts.read_state(state_path) if state_path else None
    return SourceGhlContacts(catalog=catalog, config=config, state=state)


def run(args: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if args is None else args
    try:
        source = _create_source(args)
    except Exception as error:  # a broken config, catalog or state file: report it the Airbyte way
        trace = AirbyteMessage(
            type=Type.TRACE,
            trace=AirbyteTraceMessage(
                type=TraceType.ERROR,
                emitted_at=ab_datetime_now().timestamp() * 1000,
                error=_error(error),
            ),
        )
        print(orjson.dumps(AirbyteMessageSerializer.dump(trace)).decode())
        sys.exit(1)
    launch(source, args)


def _error(error: Exception) -> AirbyteErrorTraceMessage:
    if isinstance(error, AirbyteTracedException):  # already says what to fix
        return AirbyteErrorTraceMessage(message=error.message, internal_message=error.internal_message,
                                        failure_type=error.failure_type)
    return AirbyteErrorTraceMessage(
        message=f"source-ghl-contacts could not start: {type(error).__name__}: {error}",
        internal_message=str(error),
        failure_type=FailureType.config_error,
    )


if __name__ == "__main__":
    run()
