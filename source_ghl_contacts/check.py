"""`check`: one cheap real call that proves the token, the location and the `contacts.readonly` scope."""

import logging
from typing import Any, List, Mapping

from airbyte_cdk.models import AirbyteConnectionStatus, Status

from ghl_http import messages
from ghl_http.check import explain_failure
from ghl_http.client import build_http_client, ghl_headers
from ghl_http.constants import SCOPE_CONTACTS_READ, SCOPE_CUSTOM_FIELDS_READ

# A check answers in seconds: retry a flaky answer, but do not wait minutes on an unreachable host.
CHECK_RETRIES = 2


def check_connection(config: Mapping[str, Any], logger: logging.Logger) -> AirbyteConnectionStatus:
    base_url = config["api_base_url"]
    client = build_http_client(config, name="check", logger=logger, retries=CHECK_RETRIES)
    try:
        client.send_request(
            "POST",
            base_url + "/contacts/search",
            request_kwargs={},
            headers=ghl_headers(),
            json={"locationId": config["location_id"], "pageLimit": 1},
        )
    except Exception as error:  # every failure becomes a cause-and-fix sentence, never a traceback
        message = explain_failure(error, base_url)
        if message == messages.missing_scope(None):
            message = messages.missing_scope(SCOPE_CONTACTS_READ)
        return AirbyteConnectionStatus(status=Status.FAILED, message=message)
    return AirbyteConnectionStatus(status=Status.SUCCEEDED)


def check_locations(location_configs: List[Mapping[str, Any]], logger: logging.Logger) -> AirbyteConnectionStatus:
    """`check_connection` of each location; one FAILED status naming every location that failed."""
    if len(location_configs) == 1:
        return check_connection(location_configs[0], logger)
    failed = []
    for config in location_configs:
        status = check_connection(config, logger)
        if status.status != Status.SUCCEEDED:
            failed.append(f"Location '{config['location_id']}': {status.message}")
    if not failed:
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)
    return AirbyteConnectionStatus(status=Status.FAILED, message=messages.LOCATIONS_FAILED_CHECK.format(
        failed=len(failed), total=len(location_configs), details=" | ".join(failed)))


def can_read_custom_fields(config: Mapping[str, Any], logger: logging.Logger) -> bool:
    """Whether the token has `locations/customFields.readonly`; `custom_fields` is discovered only then."""
    client = build_http_client(
        config, name="custom_fields_probe", logger=logger, passthrough_statuses=frozenset({401, 403}), retries=CHECK_RETRIES
    )
    try:
        _, response = client.send_request(
            "GET",
            f"{config['api_base_url']}/locations/{config['location_id']}/customFields",
            request_kwargs={},
            headers=ghl_headers(),
            params={"model": "contact"},
        )
    except Exception:  # not this probe's job to fail discover; a sync would report the cause
        return True
    if response.status_code in (401, 403):
        logger.info(f"custom_fields is not offered: the token lacks '{SCOPE_CUSTOM_FIELDS_READ}' (HTTP {response.status_code}).")
        return False
    return True
