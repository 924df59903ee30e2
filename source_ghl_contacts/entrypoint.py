"""The CDK's entry point with our config check ahead of its own.

The CDK validates a config against the spec before `check`, `discover` and `read` reach the source, and its
message ("Config validation error: <value> is not of type ...") names the offending value, not the field:
unhelpful, and a token pasted in the wrong place would be printed. `validate_config` names the field and the
fix and never echoes a value, so it runs first; the CDK's check stays behind it as a second line.
"""

from typing import Any, List, Mapping

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import ConnectorSpecification
from airbyte_cdk.sources import Source
from airbyte_cdk.sources.utils.schema_helpers import split_config

from ghl_http.cdk_logs import quiet_cdk_noise
from ghl_http.config import validate_config


class SourceEntrypoint(AirbyteEntrypoint):
    @staticmethod
    def validate_connection(source_spec: ConnectorSpecification, config: Mapping[str, Any]) -> None:
        # A config error raised here becomes a FAILED CONNECTION_STATUS for `check`, a config_error TRACE otherwise.
        connector_config, _ = split_config(config)  # without the CDK's internal keys (_limit, _page_size)
        validate_config(connector_config, source_spec.connectionSpecification)
        AirbyteEntrypoint.validate_connection(source_spec, config)


def launch(source: Source, args: List[str]) -> None:
    """`airbyte_cdk.entrypoint.launch`, with `SourceEntrypoint`."""
    entrypoint = SourceEntrypoint(source)
    quiet_cdk_noise()  # after the entry point has set up its log handlers
    parsed_args = entrypoint.parse_args(args)
    with PRINT_BUFFER:
        for message in entrypoint.run(parsed_args):
            # One write per message, newline included, as the CDK does (concurrent streams print at once).
            print(f"{message}\n", end="")
