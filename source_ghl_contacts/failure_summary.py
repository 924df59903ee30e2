"""The failure type of the CDK's end-of-sync summary, taken from the stream errors it sums up.

When a stream fails, the CDK emits that stream's error (a TRACE with its own failure type), lets the other
streams finish, then raises a summary ("During the sync, the following streams did not sync successfully:
...") that it always types `config_error`. Airbyte does not retry a config error and shows it as the user's
fault: a sync stopped by GHL's spent daily quota (transient: the next sync resumes) would be reported as a
broken config. When every stream error has the same failure type, the summary takes it; mixed ones are left
as the CDK typed them.
"""

from typing import Iterable, Iterator, Set

from airbyte_cdk.exception_handler import generate_failed_streams_error_message
from airbyte_cdk.models import AirbyteMessage, FailureType, TraceType, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

# Taken from the CDK's own wording, so a change there is followed here.
_SUMMARY_PREFIX = generate_failed_streams_error_message({})


def is_failed_streams_summary(error: AirbyteTracedException) -> bool:
    return (error.message or "").startswith(_SUMMARY_PREFIX)


def with_summary_failure_type(messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
    """Pass `messages` through; re-raise the CDK's summary with the stream errors' failure type if they share one."""
    failure_types: Set[FailureType] = set()
    try:
        for message in messages:
            if message.type == Type.TRACE and message.trace.type == TraceType.ERROR:  # type: ignore[union-attr]
                failure_types.add(message.trace.error.failure_type)  # type: ignore[union-attr]
            yield message
    except AirbyteTracedException as error:
        if not (is_failed_streams_summary(error) and len(failure_types) == 1):
            raise
        raise AirbyteTracedException(
            message=error.message,
            internal_message=error.internal_message,
            failure_type=failure_types.pop(),
        ) from None  # the summary stands alone, as the CDK raises it
