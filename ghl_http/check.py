"""Turn whatever a `check` call raised into the one sentence a user needs: the cause and the fix."""

import requests
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import messages


def explain_failure(exc: BaseException, base_url: str) -> str:
    if isinstance(exc, AirbyteTracedException) and exc.message:
        return exc.message
    cause = exc
    while cause is not None and not isinstance(cause, requests.exceptions.RequestException):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
        return messages.CONNECTION_FAILED.format(base_url=base_url, reason=type(cause).__name__)
    return f"The GHL check failed unexpectedly ({type(exc).__name__}). Retry; if it persists, report it with the logs."
