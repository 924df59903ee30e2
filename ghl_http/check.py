"""Turn whatever a `check` call raised into the one sentence a user needs: the cause and the fix."""

from typing import Any, Callable, Dict, List, Mapping, Optional

import requests
from airbyte_cdk.models import AirbyteConnectionStatus, Status
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


def checked_locations(config: Mapping[str, Any], location_configs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The locations a `check` proves: each one named in `location_ids`; of "every installed location", the
    first stands for all (one cheap call each; an agency may have hundreds)."""
    return location_configs if config.get("location_ids") else location_configs[:1]


def check_each(location_configs: List[Dict[str, Any]],
               check_one: Callable[[Dict[str, Any]], Optional[str]]) -> AirbyteConnectionStatus:
    """`check_one` (None, or the failure's cause and fix) on each location; one status naming every failure."""
    failed = [(config["location_id"], problem) for config in location_configs
              for problem in [check_one(config)] if problem is not None]
    if not failed:
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)
    if len(location_configs) == 1:
        return AirbyteConnectionStatus(status=Status.FAILED, message=failed[0][1])
    details = " | ".join(f"Location '{location_id}': {text}" for location_id, text in failed)
    return AirbyteConnectionStatus(status=Status.FAILED, message=messages.LOCATIONS_FAILED_CHECK.format(
        failed=len(failed), total=len(location_configs), details=details))
