"""`check`: one cheap real call that proves the token, the location and the `contacts.readonly` scope."""

import logging
from typing import Any, Mapping

from airbyte_cdk.models import AirbyteConnectionStatus, Status

from ghl_http import messages
from ghl_http.check import explain_failure
from ghl_http.client import build_http_client, ghl_headers
from ghl_http.constants import SCOPE_CONTACTS_READ

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

