"""The CDK's end-of-sync summary takes the failure type of the stream errors it sums up when they share one."""

import pytest
from airbyte_cdk.exception_handler import generate_failed_streams_error_message
from airbyte_cdk.models import FailureType, StreamDescriptor
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_ghl_contacts.failure_summary import with_summary_failure_type


def _stream_error(failure_type: FailureType):
    return AirbyteTracedException(message="stream failed", failure_type=failure_type).as_airbyte_message(
        stream_descriptor=StreamDescriptor(name="contacts")
    )


def _sync(*failure_types: FailureType):
    """What the CDK's read yields when streams fail: their errors, then the summary it raises."""
    for failure_type in failure_types:
        yield _stream_error(failure_type)
    summary = generate_failed_streams_error_message({"contacts": [RuntimeError("x")]})
    raise AirbyteTracedException(message=summary, failure_type=FailureType.config_error)


def _final_failure_type(messages) -> FailureType:
    with pytest.raises(AirbyteTracedException) as raised:
        list(with_summary_failure_type(messages))
    return raised.value.failure_type


def test_a_summary_of_transient_stream_errors_is_transient():
    assert _final_failure_type(_sync(FailureType.transient_error, FailureType.transient_error)) == FailureType.transient_error


def test_a_summary_of_system_errors_is_a_system_error():
    assert _final_failure_type(_sync(FailureType.system_error)) == FailureType.system_error


def test_a_summary_of_mixed_stream_errors_stays_as_the_cdk_raised_it():
    assert _final_failure_type(_sync(FailureType.transient_error, FailureType.system_error)) == FailureType.config_error


def test_other_errors_pass_unchanged():
    def sync():
        yield _stream_error(FailureType.transient_error)
        raise AirbyteTracedException(message="something else", failure_type=FailureType.system_error)

    assert _final_failure_type(sync()) == FailureType.system_error
