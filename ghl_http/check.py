"""Turn whatever a `check` call raised into the one sentence a user needs: the cause and the fix."""

import requests
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import messages


def explain_failure(exc: BaseException, base_url: str) -> str:
    # After its retries the CDK raises its own "Exhausted available request attempts" error; an unreachable
    # host is still the cause the user must hear about.
    cause = _transport_cause(exc)
    if cause is not None:
        return messages.CONNECTION_FAILED.format(base_url=base_url, reason=type(cause).__name__)
    if isinstance(exc, AirbyteTracedException) and exc.message:
        return exc.message
    return f"The GHL check failed unexpectedly ({type(exc).__name__}). Retry; if it persists, report it with the logs."


_TRANSPORT_PREFIX = messages.TRANSPORT_ERROR.split("{kind}")[0]
_TRANSPORT_KINDS = {kind.__name__: kind for kind in (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                                                     requests.exceptions.ReadTimeout, requests.exceptions.ConnectTimeout)}


def _transport_cause(exc: BaseException):  # type: ignore[no-untyped-def]
    cause = exc
    seen = set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
            return cause
        # The CDK's retry loop keeps only the text `classify` gave the failed attempt.
        if _TRANSPORT_PREFIX in str(cause):
            kind = str(cause).split(_TRANSPORT_PREFIX, 1)[1].split(")", 1)[0]
            return _TRANSPORT_KINDS.get(kind, requests.exceptions.ConnectionError)()
        cause = cause.__cause__ or cause.__context__
    return None
